/** SDXL per-block merge ratios (9 input + 1 middle + 9 output) on tiny-sdxl: ratio 0 keeps A, 1 takes B, per block. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mergeCheckpointFiles } from '../../../server/runtime/checkpoint/merge';
import { blockCount } from '../../../server/runtime/checkpoint/merge-ratios';
import { float32ToF16, toFloat32 } from '../../../server/runtime/io/dtype';
import { openSafetensors, type SafetensorsFile } from '../../../server/runtime/io/safetensors';
import { writeSafetensors } from '../../../server/runtime/io/safetensors-write';
import { describeGolden, golden } from '../../helpers/golden';

const U = 'model.diffusion_model.';
const FLOATS = new Set(['F16', 'F32', 'BF16']);

describeGolden('SDXL per-block merge on tiny-sdxl', () => {
  let tmp: string;
  let a: SafetensorsFile;
  let b: SafetensorsFile;
  let m: SafetensorsFile;
  const values = async (f: SafetensorsFile, name: string) => {
    const t = f.tensors.get(name);
    if (!t) throw new Error(`${path.basename(f.path)} has no ${name}`);
    return toFloat32(await t.read(), t.dtype);
  };
  /** every merged tensor under `prefix` equals `want(a, b)` element for element */
  const check = async (prefix: string, want: (va: number, vb: number) => number, tol = 0) => {
    let n = 0;
    for (const name of m.tensors.keys()) {
      if (!name.startsWith(prefix)) continue;
      const [vm, va, vb] = await Promise.all([values(m, name), values(a, name), values(b, name)]);
      let worst = 0;
      for (let i = 0; i < vm.length; i++) worst = Math.max(worst, Math.abs(vm[i] - want(va[i], vb[i])));
      expect(worst, name).toBeLessThanOrEqual(tol);
      n++;
    }
    expect(n, prefix).toBeGreaterThan(0);
    return n;
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-sdxl-merge-'));
    const A = golden('tiny-sdxl', 'model.safetensors');
    a = await openSafetensors(A);
    // B = 2·A (exact in fp16): any tensor taken from the wrong side shows
    const B = path.join(tmp, 'b.safetensors');
    await writeSafetensors(
      B,
      [...a.tensors.values()].map((t) => ({
        name: t.name,
        dtype: t.dtype,
        shape: t.shape,
        data: async () => {
          const raw = await t.read();
          if (!FLOATS.has(t.dtype)) return raw;
          const v = toFloat32(raw, t.dtype).map((x) => 2 * x);
          return t.dtype === 'F16' ? new Uint8Array(float32ToF16(v).buffer) : new Uint8Array(v.buffer);
        },
      })),
      a.metadata,
    );
    b = await openSafetensors(B);
    expect(blockCount('sdxl')).toBe(19);
    const blocks = Array<number>(19).fill(0);
    blocks[4] = 1; // input_blocks.4 (ResBlock + depth-2 transformer)
    blocks[9] = 1; // middle_block
    blocks[10 + 2] = 1; // output_blocks.2 (with the upsampler)
    const out = path.join(tmp, 'merged.safetensors');
    await mergeCheckpointFiles({
      a: A,
      b: B,
      mode: 'weighted',
      ratios: { base: 0.5, textEncoder: 0, vae: 1, blocks },
      out,
      dtype: 'F32',
      hashSources: false,
    });
    m = await openSafetensors(out);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('ratio 1 blocks are B, ratio 0 blocks are A, bit for bit', async () => {
    const fromA = (x: number) => x;
    const fromB = (_: number, y: number) => y;
    await check(`${U}input_blocks.4.`, fromB);
    await check(`${U}middle_block.`, fromB);
    await check(`${U}output_blocks.2.`, fromB);
    for (const i of [0, 1, 2, 3, 5]) await check(`${U}input_blocks.${i}.`, fromA);
    for (const i of [0, 1, 3, 4, 5]) await check(`${U}output_blocks.${i}.`, fromA);
  });

  it('tensors outside the blocks take the UNet ratio; text towers and VAE their own', async () => {
    const half = (x: number, y: number) => 0.5 * x + 0.5 * y;
    for (const p of ['time_embed.', 'label_emb.', 'out.']) await check(`${U}${p}`, half, 1e-6);
    await check('conditioner.embedders.0.transformer.text_model.encoder.', (x) => x);
    await check('conditioner.embedders.1.model.transformer.', (x) => x);
    await check('first_stage_model.', (_, y) => y);
  });

  it('SD1 block lists (25) are refused for SDXL with the layout in the message', async () => {
    await expect(
      mergeCheckpointFiles({
        a: golden('tiny-sdxl', 'model.safetensors'),
        b: b.path,
        mode: 'weighted',
        ratios: { base: 0.5, blocks: Array(25).fill(0) },
        out: path.join(tmp, 'bad.safetensors'),
        dtype: 'F16',
        hashSources: false,
      }),
    ).rejects.toThrow('sdxl needs 19 block ratios (input 9, middle 1, output 9), got 25');
  });
});
