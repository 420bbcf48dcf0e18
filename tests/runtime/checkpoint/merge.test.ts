import { afterAll, describe, expect, it } from 'vitest';
import { mergeCheckpointFiles } from '@/server/runtime/checkpoint/merge';
import { ratioFor } from '@/server/runtime/checkpoint/merge-ratios';
import { openSafetensors } from '@/server/runtime/io/safetensors';
import { toFloat32 } from '@/server/runtime/io/dtype';
import { describeGolden, golden } from '../../helpers/golden';
import { scratchDir } from '../io/st-fixtures';
import { unet, vae, writeTiny } from './synthetic';

const tmp = scratchDir('merge');
afterAll(() => tmp.cleanup());
// source hashing goes through the on-disk hash cache: keep it out of the user's home
process.env.LOOM_CACHE_DIR = tmp.file('hash-cache');

async function sameTensors(x: string, y: string): Promise<void> {
  const [fx, fy] = await Promise.all([openSafetensors(x), openSafetensors(y)]);
  expect([...fx.tensors.keys()].sort()).toEqual([...fy.tensors.keys()].sort());
  for (const [name, t] of fx.tensors) {
    const u = fy.tensors.get(name)!;
    expect(u.dtype, name).toBe(t.dtype);
    expect(Buffer.from(await u.read()).equals(await t.read()), name).toBe(true);
  }
}

describeGolden('merging tiny-sd1 A and B', () => {
  const A = () => golden('tiny-sd1', 'model.safetensors');
  const B = () => golden('tiny-sd1', 'model_b.safetensors');

  it('ratio 0 is A bit for bit, ratio 1 is B on every component tensor', async () => {
    const out0 = tmp.file('r0.safetensors');
    await mergeCheckpointFiles({ a: A(), b: B(), mode: 'weighted', ratios: { base: 0 }, out: out0, dtype: 'F16', hashSources: false });
    await sameTensors(out0, A());
    const out1 = tmp.file('r1.safetensors');
    const rep = await mergeCheckpointFiles({ a: A(), b: B(), mode: 'weighted', ratios: { base: 1 }, out: out1, dtype: 'F16', hashSources: false });
    const [m, b, a] = await Promise.all([openSafetensors(out1), openSafetensors(B()), openSafetensors(A())]);
    expect(rep.merged).toBe(494 + 180 + 37 - 1); // position_ids is integer: copied from A
    for (const [name, t] of m.tensors) {
      const src = rep.copiedFromA.includes(name) ? a : b;
      expect(Buffer.from(await t.read()).equals(await src.tensors.get(name)!.read()), name).toBe(true);
    }
  });

  it('add-difference with B = C gives A', async () => {
    const out = tmp.file('ad.safetensors');
    await mergeCheckpointFiles({ a: A(), b: B(), c: B(), mode: 'add-difference', ratios: { base: 1 }, out, dtype: 'F16', hashSources: false });
    await sameTensors(out, A());
  });

  it('0.7·A + 0.3·B in fp32 equals the values computed here, with the recipe and hashes in metadata', async () => {
    const out = tmp.file('w03.safetensors');
    await mergeCheckpointFiles({ a: A(), b: B(), mode: 'weighted', ratios: { base: 0.3 }, out, dtype: 'F32' });
    const [m, a, b] = await Promise.all([openSafetensors(out), openSafetensors(A()), openSafetensors(B())]);
    const recipe = JSON.parse(m.metadata['latentloom.merge']) as { mode: string; ratios: { base: number } };
    expect(recipe).toMatchObject({ mode: 'weighted', ratios: { base: 0.3 }, family: 'sd1' });
    expect(JSON.parse(m.metadata['latentloom.merge.sha256']).a).toMatch(/^[0-9a-f]{64}$/);
    let checked = 0;
    for (const [name, t] of m.tensors) {
      const va = toFloat32(await a.tensors.get(name)!.read(), a.tensors.get(name)!.dtype);
      const got = toFloat32(await t.read(), t.dtype);
      const inComponent = /^(model\.diffusion_model|first_stage_model|cond_stage_model)\./.test(name) && !name.endsWith('position_ids');
      if (!inComponent) {
        expect(Array.from(got), name).toEqual(Array.from(va));
        continue;
      }
      expect(t.dtype).toBe('F32');
      const vb = toFloat32(await b.tensors.get(name)!.read(), 'F16');
      let worst = 0;
      for (let i = 0; i < got.length; i++) {
        const want = 0.7 * va[i] + 0.3 * vb[i];
        // f32 arithmetic (as the WASM kernel): f32 ratios, rounded products and sum, each off by <= 2^-24 relative
        const bound = Math.abs(want) * 6e-8 + (0.7 * Math.abs(va[i]) + 0.3 * Math.abs(vb[i])) * 1.2e-7;
        worst = Math.max(worst, Math.abs(got[i] - want) - bound);
      }
      expect(worst, name).toBeLessThanOrEqual(1e-30);
      checked++;
    }
    expect(checked).toBe(710);
  });

  it('per-component and per-block ratios pick the right tensors', async () => {
    const blocks = Array.from({ length: 25 }, (_, i) => i / 100);
    const r = { base: 0.5, textEncoder: 0.2, vae: 0.9, blocks };
    expect(ratioFor(r, 'sd1', 'unet', 'input_blocks.3.0.op.weight')).toBe(0.03);
    expect(ratioFor(r, 'sd1', 'unet', 'middle_block.1.norm.weight')).toBe(0.12);
    expect(ratioFor(r, 'sd1', 'unet', 'output_blocks.0.0.skip_connection.weight')).toBe(0.13);
    expect(ratioFor(r, 'sd1', 'unet', 'output_blocks.11.1.proj_out.weight')).toBe(0.24);
    expect(ratioFor(r, 'sd1', 'unet', 'time_embed.0.weight')).toBe(0.5);
    expect(ratioFor(r, 'sdxl', 'unet', 'middle_block.0.in_layers.0.weight')).toBe(0.09);
    expect(ratioFor(r, 'sd1', 'clip', 'final_layer_norm.weight')).toBe(0.2);
    expect(ratioFor(r, 'sdxl', 'clip_g', 'ln_final.weight')).toBe(0.2);
    expect(ratioFor(r, 'sd1', 'vae', 'decoder.conv_out.weight')).toBe(0.9);
    const out = tmp.file('comp.safetensors');
    await mergeCheckpointFiles({
      a: A(),
      b: B(),
      mode: 'weighted',
      ratios: { base: 1, textEncoder: 0, vae: 0, blocks: Array(25).fill(0) },
      out,
      dtype: 'F16',
      hashSources: false,
    });
    const [m, a, b] = await Promise.all([openSafetensors(out), openSafetensors(A()), openSafetensors(B())]);
    const same = async (name: string, src: typeof a) => Buffer.from(await m.tensors.get(name)!.read()).equals(await src.tensors.get(name)!.read());
    expect(await same('cond_stage_model.transformer.text_model.final_layer_norm.weight', a)).toBe(true);
    expect(await same('first_stage_model.decoder.conv_out.weight', a)).toBe(true);
    expect(await same('model.diffusion_model.input_blocks.1.0.in_layers.2.weight', a)).toBe(true);
    expect(await same('model.diffusion_model.time_embed.0.weight', b)).toBe(true);
    await expect(
      mergeCheckpointFiles({ a: A(), b: B(), mode: 'weighted', ratios: { base: 0.5, blocks: [1, 2] }, out, dtype: 'F16', hashSources: false }),
    ).rejects.toThrow(/sd1 needs 25 block ratios/);
  });
});

describe('merge refusals', () => {
  it('names the tensor whose shapes differ', async () => {
    const clip = { 'cond_stage_model.transformer.text_model.w': [2] };
    const a = await writeTiny(tmp.file('sa.safetensors'), { ...unet(), ...vae, ...clip });
    const b = await writeTiny(tmp.file('sb.safetensors'), { ...unet(), ...vae, 'cond_stage_model.transformer.text_model.w': [3] });
    await expect(
      mergeCheckpointFiles({ a, b, mode: 'weighted', ratios: { base: 0.5 }, out: tmp.file('x.safetensors'), dtype: 'F16', hashSources: false }),
    ).rejects.toThrow(/tensor "cond_stage_model.transformer.text_model.w": shape \[2\] in A but \[3\] in B/);
  });
  it('keeps keys only in A and drops keys only in B', async () => {
    const clip = { 'cond_stage_model.transformer.text_model.w': [2] };
    const a = await writeTiny(tmp.file('ka.safetensors'), { ...unet(), ...vae, ...clip, 'first_stage_model.only_a': [2] }, () => 1);
    const b = await writeTiny(tmp.file('kb.safetensors'), { ...unet(), ...vae, ...clip, 'first_stage_model.only_b': [2] }, () => 3);
    const out = tmp.file('k.safetensors');
    const rep = await mergeCheckpointFiles({ a, b, mode: 'weighted', ratios: { base: 0.5 }, out, dtype: 'F32', hashSources: false });
    const m = await openSafetensors(out);
    expect(m.tensors.has('first_stage_model.only_b')).toBe(false);
    expect(Array.from(toFloat32(await m.tensors.get('first_stage_model.only_a')!.read(), 'F32'))).toEqual([1, 1]);
    expect(Array.from(toFloat32(await m.tensors.get('first_stage_model.decoder.conv_out.weight')!.read(), 'F32')).slice(0, 2)).toEqual([2, 2]);
    expect(rep.droppedFromB).toBe(1);
  });
  it('refuses a missing C and mixed families', async () => {
    const a = await writeTiny(tmp.file('fa.safetensors'), { ...unet(), ...vae, 'cond_stage_model.transformer.text_model.w': [2] });
    const b = await writeTiny(tmp.file('fb.safetensors'), { ...unet(), ...vae, 'cond_stage_model.model.w': [2] });
    const out = tmp.file('f.safetensors');
    await expect(mergeCheckpointFiles({ a, b, mode: 'add-difference', ratios: { base: 1 }, out, dtype: 'F16' })).rejects.toThrow(
      /needs a third model/,
    );
    await expect(mergeCheckpointFiles({ a, b, mode: 'weighted', ratios: { base: 1 }, out, dtype: 'F16', hashSources: false })).rejects.toThrow(
      /cannot merge sd1 .* with sd2/,
    );
  });
});

describe('inpainting merges (A1111 rule)', () => {
  const clip = { 'cond_stage_model.transformer.text_model.w': [2] };
  const IN = 'model.diffusion_model.input_blocks.0.0.weight';
  it('add-difference with an inpainting A merges only the 4 latent input channels', async () => {
    const a = await writeTiny(tmp.file('ia.safetensors'), { ...unet(9), ...vae, ...clip }, () => 1);
    const b = await writeTiny(tmp.file('ib.safetensors'), { ...unet(4), ...vae, ...clip }, () => 0.75);
    const c = await writeTiny(tmp.file('ic.safetensors'), { ...unet(4), ...vae, ...clip }, () => 0.25);
    const out = tmp.file('inpaint-ad.safetensors');
    await mergeCheckpointFiles({ a, b, c, mode: 'add-difference', ratios: { base: 1 }, out, dtype: 'F32', hashSources: false });
    const m = await openSafetensors(out);
    const w = toFloat32(await m.tensors.get(IN)!.read(), 'F32');
    expect(m.tensors.get(IN)!.shape).toEqual([8, 9, 3, 3]);
    for (let o = 0; o < 8; o++) {
      for (let ch = 0; ch < 9; ch++) {
        for (let k = 0; k < 9; k++) expect(w[o * 81 + ch * 9 + k]).toBe(ch < 4 ? 1.5 : 1);
      }
    }
    await expect(
      mergeCheckpointFiles({
        a: b,
        b: a,
        mode: 'weighted',
        ratios: { base: 0.5 },
        out: tmp.file('bad.safetensors'),
        dtype: 'F32',
        hashSources: false,
      }),
    ).rejects.toThrow(/shape \[8,4,3,3\] in A but \[8,9,3,3\] in B \(to merge an inpainting model with a normal one, make the inpainting model A\)/);
  });
});
