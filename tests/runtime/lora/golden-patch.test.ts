import { beforeAll, expect, it } from 'vitest';
import { describeGolden, golden } from '../../helpers/golden';
import { readGoldenTensors, type GoldenTensor } from '../../helpers/read-golden';
import { applyLoras, type LoraApplication } from '../../../server/runtime/checkpoint/lora/apply';
import type { WeightProvider } from '../../../server/runtime/checkpoint/weights';
import type { LoraSource } from '../../../server/runtime/checkpoint/lora/types';
import { decodeAll, maxAbsDiff, memoryLora } from './support/fixtures';
import { CLIP_PREFIX, UNET_PREFIX, goldenLora, tinySd1 } from './support/golden-lora';
import { kohyaToDotted, modulesOf, ones, scaled, type Tensors } from './support/rewrite';

let unet: WeightProvider;
let clip: WeightProvider;
let lora: LoraSource;
let tensors: Tensors;
let ref: Map<string, GoldenTensor>;

const S_MODEL = 0.8;
const S_CLIP = 0.6;

/** [component, name relative to the component, golden key] for the four `patched.*` weights */
const PATCHED = [
  ['unet', 'input_blocks.4.1.transformer_blocks.0.attn1.to_q.weight'],
  ['unet', 'input_blocks.4.1.proj_in.weight'],
  ['unet', 'input_blocks.1.0.in_layers.2.weight'],
  ['clip', 'transformer.text_model.encoder.layers.0.self_attn.q_proj.weight'],
] as const;

function patchBoth(files: (s: 'unet' | 'clip') => LoraApplication[]) {
  return { unet: applyLoras(unet, 'unet', files('unet')).provider, clip: applyLoras(clip, 'clip', files('clip')).provider };
}

async function expectGoldenPatched(p: { unet: WeightProvider; clip: WeightProvider }, tol = 1e-6) {
  for (const [component, name] of PATCHED) {
    const key = `patched.${component === 'unet' ? UNET_PREFIX : CLIP_PREFIX}${name}`;
    const got = await p[component].float32(name);
    expect(maxAbsDiff(got, ref.get(key)!.data as Float32Array), key).toBeLessThanOrEqual(tol);
  }
}

describeGolden('golden kohya LoRA on tiny-sd1: patched weights', () => {
  beforeAll(async () => {
    ({ unet, clip } = await tinySd1());
    lora = await goldenLora();
    tensors = await decodeAll(lora);
    ref = await readGoldenTensors(golden('lora', 'golden.safetensors'));
  });

  it('matches the four patched.* weights at strength_model 0.8 / strength_clip 0.6 within 1e-6', async () => {
    expect(ref.get('strength_model')!.data[0]).toBeCloseTo(S_MODEL, 6);
    expect(ref.get('strength_clip')!.data[0]).toBeCloseTo(S_CLIP, 6);
    await expectGoldenPatched(patchBoth((c) => [{ file: lora, strength: c === 'unet' ? S_MODEL : S_CLIP }]));
  });

  it('leaves the base provider untouched and keeps file ranges only for unpatched tensors', async () => {
    const before = await unet.float32('input_blocks.4.1.proj_in.weight');
    const { provider } = applyLoras(unet, 'unet', [{ file: lora, strength: S_MODEL }]);
    await provider.float32('input_blocks.4.1.proj_in.weight');
    expect(await unet.float32('input_blocks.4.1.proj_in.weight')).toEqual(before);
    expect(provider.fileRange('input_blocks.4.1.proj_in.weight')).toBeUndefined();
    expect(provider.fileRange('input_blocks.4.1.norm.weight')).toEqual(unet.fileRange('input_blocks.4.1.norm.weight'));
    expect(provider.identity('input_blocks.4.1.proj_in.weight')).not.toBe(unet.identity('input_blocks.4.1.proj_in.weight'));
    expect(provider.identity('input_blocks.4.1.norm.weight')).toBe(unet.identity('input_blocks.4.1.norm.weight'));
    const other = applyLoras(unet, 'unet', [{ file: lora, strength: 0.5 }]).provider;
    expect(other.identity('input_blocks.4.1.proj_in.weight')).not.toBe(provider.identity('input_blocks.4.1.proj_in.weight'));
    // memoised: materialised once
    expect(await provider.float32('input_blocks.4.1.proj_in.weight')).toBe(await provider.float32('input_blocks.4.1.proj_in.weight'));
  });

  it('gives the base weights bit-for-bit at strength 0', async () => {
    const p = patchBoth(() => [{ file: lora, strength: 0 }]);
    for (const [component, name] of PATCHED) {
      const base = component === 'unet' ? unet : clip;
      const got = await p[component].float32(name);
      expect(Buffer.from(got.buffer).equals(Buffer.from((await base.float32(name)).buffer)), name).toBe(true);
      expect(p[component].identity(name)).toBe(base.identity(name));
    }
  });

  it('cancels two stacked LoRAs at s and -s within float tolerance', async () => {
    const p = patchBoth(() => [
      { file: lora, strength: 0.7 },
      { file: lora, strength: -0.7 },
    ]);
    for (const [component, name] of PATCHED) {
      const base = await (component === 'unet' ? unet : clip).float32(name);
      expect(maxAbsDiff(await p[component].float32(name), base), name).toBeLessThanOrEqual(1e-6);
    }
  });

  it('patches the same weights when rewritten into PEFT naming (lora_A/lora_B, alpha folded in)', async () => {
    const peft: Tensors = new Map();
    for (const module of modulesOf(tensors)) {
      const up = tensors.get(`${module}.lora_up.weight`)!;
      const down = tensors.get(`${module}.lora_down.weight`)!;
      const alpha = tensors.get(`${module}.alpha`)!.data[0];
      const { prefix, path } = kohyaToDotted(module);
      peft.set(`${prefix}.${path}.lora_A.weight`, down);
      peft.set(`${prefix}.${path}.lora_B.weight`, { shape: up.shape, data: scaled(up.data, alpha / down.shape[0]) });
    }
    const file = memoryLora('peft', peft);
    const p = patchBoth((c) => [{ file, strength: c === 'unet' ? S_MODEL : S_CLIP }]);
    await expectGoldenPatched(p);
    expect(applyLoras(unet, 'unet', [{ file, strength: 1 }]).reports[0]).toMatchObject({ targeted: 134, patched: 134, unmapped: [] });
  });

  it('patches the same weights as LoHa (w1 = up·down, w2 = ones) and LoKr (w1 = [[1]], w2 = up·down)', async () => {
    const loha: Tensors = new Map();
    const lokr: Tensors = new Map();
    for (const module of modulesOf(tensors)) {
      const up = tensors.get(`${module}.lora_up.weight`)!;
      const down = tensors.get(`${module}.lora_down.weight`)!;
      const alpha = tensors.get(`${module}.alpha`)!;
      const rank = down.shape[0];
      const out = up.shape[0];
      const inner = down.data.length / rank;
      const up2 = { shape: [out, rank], data: up.data };
      const down2 = { shape: [rank, inner], data: down.data };
      loha.set(`${module}.hada_w1_a`, up2);
      loha.set(`${module}.hada_w1_b`, down2);
      loha.set(`${module}.hada_w2_a`, { shape: [out, 1], data: ones(out) });
      loha.set(`${module}.hada_w2_b`, { shape: [1, inner], data: ones(inner) });
      loha.set(`${module}.alpha`, alpha);
      lokr.set(`${module}.lokr_w1`, { shape: [1, 1], data: ones(1) });
      lokr.set(`${module}.lokr_w2_a`, up2);
      lokr.set(`${module}.lokr_w2_b`, down2);
      lokr.set(`${module}.alpha`, alpha);
    }
    for (const file of [memoryLora('loha', loha), memoryLora('lokr', lokr)]) {
      await expectGoldenPatched(patchBoth((c) => [{ file, strength: c === 'unet' ? S_MODEL : S_CLIP }]));
    }
  });
});
