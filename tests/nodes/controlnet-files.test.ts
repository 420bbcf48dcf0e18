/**
 * ControlNet files beyond ComfyUI's golden cases: an SDXL ControlNet (label_emb, 2 transformer blocks) made from the
 * tiny SDXL UNet's encoder plus random hint block and zero convs, in fp32; its refusal on an SD1 model; unknown and
 * unsupported layouts named.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import { openSafetensors } from '../../server/runtime/io/safetensors';
import { writeSafetensors, type TensorEntry } from '../../server/runtime/io/safetensors-write';
import { toFloat32 } from '../../server/runtime/io/dtype';
import { ModelCache } from '../../server/runtime/model-cache';
import { loadControlNet } from '../../server/runtime/controlnet/load';
import type { LatentValue } from '../../server/runtime/values';
import { runComfyCase, type CaseRun } from '../helpers/comfy-case';
import { describeGolden, golden } from '../helpers/golden';
import { mulberry32 } from '../helpers/prng';

const runs: CaseRun[] = [];
let tmp = '';
afterAll(async () => {
  await sessionCache.clear();
  for (const r of runs) r.root.cleanup();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const f32Entry = (name: string, shape: number[], data: Float32Array): TensorEntry => ({
  name,
  dtype: 'F32',
  shape,
  data: async () => new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
});

/** An SDXL ControlNet in the ldm layout: the tiny SDXL UNet's encoder + random hint block and zero convs (fp32). */
async function writeSdxlControlNet(target: string): Promise<void> {
  const ckpt = await openSafetensors(golden('tiny-sdxl', 'model.safetensors'));
  const rand = mulberry32(7);
  const randn = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
  const entries: TensorEntry[] = [];
  const p = 'model.diffusion_model.';
  const channels: number[] = [];
  for (const [k, t] of ckpt.tensors) {
    const name = k.slice(p.length);
    if (!k.startsWith(p) || !/^(time_embed|label_emb|input_blocks|middle_block)\./.test(name)) continue;
    const data = toFloat32(new Uint8Array(await t.read()), t.dtype);
    entries.push(f32Entry(`control_model.${name}`, [...t.shape], data));
    const out = /^input_blocks\.(\d+)\.0\.(weight|in_layers\.2\.weight|op\.weight)$/.exec(name);
    if (out) channels[Number(out[1])] = t.shape[0];
  }
  const conv = (name: string, cout: number, cin: number, k: number) => {
    entries.push(f32Entry(`control_model.${name}.weight`, [cout, cin, k, k], randn(cout * cin * k * k, 1 / Math.sqrt(cin * k * k))));
    entries.push(f32Entry(`control_model.${name}.bias`, [cout], randn(cout, 0.1)));
  };
  const hint = [3, 16, 16, 32, 32, 96, 96, 256, channels[0]];
  for (let i = 0; i < 8; i++) conv(`input_hint_block.${2 * i}`, hint[i + 1], hint[i], 3);
  channels.forEach((c, i) => conv(`zero_convs.${i}.0`, c, c, 1));
  const mid = channels.at(-1) ?? 0;
  conv('middle_block_out.0', mid, mid, 1);
  await writeSafetensors(target, entries);
}

function workflow(ckpt: string, strength: number): Record<string, unknown> {
  return {
    4: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: ckpt } },
    6: { class_type: 'CLIPTextEncode', inputs: { text: 'a photo of a cat', clip: ['4', 1] } },
    7: { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
    5: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    10: { class_type: 'LoadImage', inputs: { image: 'hint_48x80.png' } },
    11: { class_type: 'ControlNetLoader', inputs: { control_net_name: 'sdxl-cn.safetensors' } },
    12: {
      class_type: 'ControlNetApplyAdvanced',
      inputs: { positive: ['6', 0], negative: ['7', 0], control_net: ['11', 0], image: ['10', 0], strength, start_percent: 0, end_percent: 1 },
    },
    3: {
      class_type: 'KSampler',
      inputs: {
        seed: 3,
        steps: 2,
        cfg: 5,
        sampler_name: 'euler',
        scheduler: 'normal',
        denoise: 1,
        model: ['4', 0],
        positive: ['12', 0],
        negative: ['12', 1],
        latent_image: ['5', 0],
      },
    },
  };
}

async function run(ckpt: string, strength: number): Promise<Float32Array> {
  const dir = fs.mkdtempSync(path.join(tmp, 'case-'));
  fs.copyFileSync(golden('comfy-models', 'controlnet', 'hint_48x80.png'), path.join(dir, 'hint_48x80.png'));
  fs.writeFileSync(path.join(dir, 'workflow_api.json'), JSON.stringify(workflow(ckpt, strength)));
  const r = await runComfyCase(dir, { models: { 'controlnet/sdxl-cn.safetensors': path.join(tmp, 'sdxl-cn.safetensors') } });
  runs.push(r);
  return (r.bySlot('3.0') as LatentValue).samples.data;
}

describeGolden('ControlNet files', () => {
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-cn-files-'));
    await writeSdxlControlNet(path.join(tmp, 'sdxl-cn.safetensors'));
  });

  it('an SDXL ControlNet (label_emb) steers the SDXL model away from its plain result (strength 0)', async () => {
    const steered = await run('tiny-sdxl.safetensors', 0.8);
    const plain = await run('tiny-sdxl.safetensors', 0);
    expect(steered.every(Number.isFinite)).toBe(true);
    let diff = 0;
    for (let i = 0; i < plain.length; i++) diff = Math.max(diff, Math.abs(steered[i] - plain[i]));
    expect(diff).toBeGreaterThan(1e-3);
  });

  it('an SDXL ControlNet on an SD1 model is refused before sampling, naming both', async () => {
    await expect(run('tiny-sd1.safetensors', 0.8)).rejects.toThrow(
      /ControlNet sdxl-cn\.safetensors \(context 192, adm 1664.*does not fit the sd1 model \(context 128/,
    );
  });

  it('an unknown layout names the keys it found; known but unsupported layouts say what they are', async () => {
    const file = (name: string, keys: string[]) => {
      const target = path.join(tmp, name);
      return writeSafetensors(
        target,
        keys.map((k) => f32Entry(k, [2], new Float32Array(2))),
      ).then(() => target);
    };
    const models = new ModelCache(2 ** 30);
    await expect(loadControlNet(models, await file('odd.safetensors', ['foo.weight', 'bar.bias']))).rejects.toThrow(
      /odd\.safetensors is not a ControlNet in a known layout .* holds 2 tensor\(s\): (foo\.weight, bar\.bias|bar\.bias, foo\.weight)/,
    );
    await expect(loadControlNet(models, await file('lora.safetensors', ['lora_controlnet', 'x.weight']))).rejects.toThrow(
      /lora\.safetensors is a Control-LoRA/,
    );
    await expect(loadControlNet(models, await file('flux.safetensors', ['controlnet_blocks.0.weight']))).rejects.toThrow(
      /DiT models are not supported/,
    );
  });
});
