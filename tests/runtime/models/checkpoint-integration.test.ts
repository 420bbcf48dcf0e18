import { expect, it } from 'vitest';
import { describeGolden, golden } from '../../helpers/golden';
import { readGoldenTensors } from '../../helpers/read-golden';
import { loadCheckpoint } from '../../../server/runtime/checkpoint/load';
import { createTextEncoder, createUNet } from '../../../server/runtime/models';
import { tempRuntime } from '../../helpers/temp-runtime';

const runtime = tempRuntime('wc');

describeGolden('models over the checkpoint loader’s providers', () => {
  it('tiny-sd1 clip and unet through loadCheckpoint match the goldens', async () => {
    const gold = await readGoldenTensors(golden('tiny-sd1', 'golden.safetensors'));
    const g = (k: string) => gold.get(k)!;
    const ckpt = await loadCheckpoint(golden('tiny-sd1', 'model.safetensors'));
    const opts = runtime.cpu;
    const clip = await createTextEncoder(ckpt.provider('clip'), opts);
    const hidden = (await clip.encode(g('clip.input_ids').data as Int32Array)).hidden.data;
    const want = g('clip.last_hidden_state').data;
    expect(Math.max(...hidden.map((v, i) => Math.abs(v - want[i])))).toBeLessThanOrEqual(1e-4);
    const unet = await createUNet(ckpt.provider('unet'), opts);
    const x = g('unet.x');
    const ctx = g('unet.context');
    const out = (
      await unet.run({ data: x.data as Float32Array, shape: x.shape }, g('unet.timesteps').data as Float32Array, {
        data: ctx.data as Float32Array,
        shape: ctx.shape,
      })
    ).data;
    const wantOut = g('unet.out').data;
    expect(Math.max(...out.map((v, i) => Math.abs(v - wantOut[i])))).toBeLessThanOrEqual(1e-4);
  });
});
