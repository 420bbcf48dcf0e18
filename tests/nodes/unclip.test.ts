/**
 * unCLIPCheckpointLoader + unCLIPConditioning against ComfyUI's SD21UNCLIP (tests/fixtures/comfy-refs/unclip_sample.py): a tiny
 * unCLIP checkpoint written here (tiny-sd1's UNet + a 1536 → 128 label_emb of formula weights, tiny-sdxl's OpenCLIP
 * tower as the SD2 text encoder, tiny-sd1's VAE, and the tiny CLIP vision golden in open_clip layout under
 * embedder.model.visual.), sampled by KSampler on formula conditioning.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resolvePaths } from '../../server/config/paths';
import type { ClipVisionOutput, Conditioning } from '../../server/runtime/handles';
import { openSafetensors } from '../../server/runtime/io/safetensors';
import { writeSafetensors, type TensorEntry } from '../../server/runtime/io/safetensors-write';
import { ModelCache } from '../../server/runtime/model-cache';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import type { LatentValue } from '../../server/runtime/values';
import { relErr } from '../helpers/comfy-case';
import { describeGolden, golden } from '../helpers/golden';
import { callNode } from '../helpers/nodes';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-unclip-'));
const paths = resolvePaths({ root: dir });
const o = { paths, models: new ModelCache(2 ** 30) };
afterAll(async () => {
  await sessionCache.clear();
  fs.rmSync(dir, { recursive: true, force: true });
});

const LABEL_EMB: Record<string, number[]> = {
  'label_emb.0.0.bias': [128],
  'label_emb.0.0.weight': [128, 1536],
  'label_emb.0.2.bias': [128],
  'label_emb.0.2.weight': [128, 128],
};
/** sample.py's label_emb: tensor t (sorted), element i: ((i·7919 + t·104729) mod 2001 − 1000) / 8192 */
const labelEmb = (name: string, t: number) =>
  Float32Array.from({ length: LABEL_EMB[name].reduce((a, b) => a * b, 1) }, (_, i) => (((i * 7919 + t * 104729) % 2001) - 1000) / 8192);

type Entry = TensorEntry;
const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** HF CLIPVisionModelWithProjection names → open_clip `visual.` names under `prefix` (the inverse of what the loader does). */
async function visualAsOpenClip(file: string, prefix: string): Promise<Entry[]> {
  const f = await openSafetensors(file);
  const t = (k: string) => {
    const r = f.tensors.get(k);
    if (!r) throw new Error(`tiny clip vision has no ${k}`);
    return r;
  };
  const same = (to: string, from: string): Entry => ({
    name: prefix + to,
    dtype: t(from).dtype,
    shape: t(from).shape,
    data: async () => new Uint8Array(await t(from).read()),
  });
  const out: Entry[] = [
    same('class_embedding', 'vision_model.embeddings.class_embedding'),
    same('conv1.weight', 'vision_model.embeddings.patch_embedding.weight'),
    same('positional_embedding', 'vision_model.embeddings.position_embedding.weight'),
    ...['weight', 'bias'].flatMap((w) => [
      same(`ln_pre.${w}`, `vision_model.pre_layrnorm.${w}`),
      same(`ln_post.${w}`, `vision_model.post_layernorm.${w}`),
    ]),
  ];
  const proj = t('visual_projection.weight');
  const [p, w] = proj.shape;
  out.push({
    name: `${prefix}proj`,
    dtype: 'F16',
    shape: [w, p],
    data: async () => {
      const src = new Uint16Array(new Uint8Array(await proj.read()).buffer.slice(0));
      const dst = new Uint16Array(p * w);
      for (let i = 0; i < p; i++) for (let j = 0; j < w; j++) dst[j * p + i] = src[i * w + j];
      return new Uint8Array(dst.buffer);
    },
  });
  for (let l = 0; f.tensors.has(`vision_model.encoder.layers.${l}.layer_norm1.weight`); l++) {
    const hf = `vision_model.encoder.layers.${l}`;
    const oc = `transformer.resblocks.${l}`;
    for (const k of ['weight', 'bias']) {
      out.push(same(`${oc}.ln_1.${k}`, `${hf}.layer_norm1.${k}`), same(`${oc}.ln_2.${k}`, `${hf}.layer_norm2.${k}`));
      out.push(
        same(`${oc}.mlp.c_fc.${k}`, `${hf}.mlp.fc1.${k}`),
        same(`${oc}.mlp.c_proj.${k}`, `${hf}.mlp.fc2.${k}`),
        same(`${oc}.attn.out_proj.${k}`, `${hf}.self_attn.out_proj.${k}`),
      );
      const parts = ['q_proj', 'k_proj', 'v_proj'].map((q) => t(`${hf}.self_attn.${q}.${k}`));
      out.push({
        name: `${prefix}${oc}.attn.in_proj_${k}`,
        dtype: parts[0].dtype,
        shape: [3 * parts[0].shape[0], ...parts[0].shape.slice(1)],
        data: async () => new Uint8Array(Buffer.concat(await Promise.all(parts.map((q) => q.read())))),
      });
    }
  }
  return out;
}

async function writeUnclipCheckpoint(target: string): Promise<void> {
  const sd1 = await openSafetensors(golden('tiny-sd1', 'model.safetensors'));
  const sdxl = await openSafetensors(golden('tiny-sdxl', 'model.safetensors'));
  const entries: Entry[] = [];
  for (const [k, t] of sd1.tensors)
    if (k.startsWith('model.diffusion_model.') || k.startsWith('first_stage_model.'))
      entries.push({ name: k, dtype: t.dtype, shape: t.shape, data: async () => new Uint8Array(await t.read()) });
  const G = 'conditioner.embedders.1.model.';
  for (const [k, t] of sdxl.tensors)
    if (k.startsWith(G))
      entries.push({
        name: `cond_stage_model.model.${k.slice(G.length)}`,
        dtype: t.dtype,
        shape: t.shape,
        data: async () => new Uint8Array(await t.read()),
      });
  Object.keys(LABEL_EMB)
    .sort()
    .forEach((k, t) =>
      entries.push({ name: `model.diffusion_model.${k}`, dtype: 'F32', shape: LABEL_EMB[k], data: async () => bytesOf(labelEmb(k, t)) }),
    );
  entries.push(...(await visualAsOpenClip(golden('comfy-models', 'clip_vision', 'tiny-clip-vision.safetensors'), 'embedder.model.visual.')));
  await writeSafetensors(target, entries);
}

const ctx = (k: number): Conditioning => ({
  kind: 'conditioning',
  entries: [
    { family: 'sd2', cross: { shape: [1, 77, 128], data: Float32Array.from({ length: 77 * 128 }, (_, i) => (((i * 17 + k) % 89) - 44) / 64) } },
  ],
});
const vision: ClipVisionOutput = {
  kind: 'clip_vision_output',
  imageEmbeds: { shape: [1, 768], data: Float32Array.from({ length: 768 }, (_, i) => (((i * 13) % 101) - 50) / 40) },
  lastHiddenState: { shape: [1, 1, 1], data: new Float32Array(1) },
  penultimateHiddenStates: { shape: [1, 1, 1], data: new Float32Array(1) },
};
const picks = (a: Float32Array) => Array.from({ length: 16 }, (_, i) => a[i * (a.length / 16)]);
const absSum = (a: Float32Array) => a.reduce((s, v) => s + Math.abs(v), 0);
const COMFY = {
  withUnclip: {
    picks: [
      149.327, 141.204, -4.42692, -80.1321, 40.5346, -61.1854, -163.146, -55.1006, 154.193, -13.1373, -77.087, 75.1831, 161.825, -47.4683, 75.5447,
      -58.6779,
    ],
    abs: 18809.4,
  },
  noUnclip: {
    picks: [
      153.686, 163.657, 2.90952, -66.6014, 74.3291, -36.7762, -183.031, -59.1544, 139.186, -118.853, -123.259, 33.396, 177.972, -85.62, 85.8332,
      -58.3906,
    ],
    abs: 17664.5,
  },
};

describeGolden('unCLIP (ComfyUI SD21UNCLIP)', () => {
  beforeAll(async () => {
    fs.mkdirSync(path.join(paths.models, 'checkpoints'), { recursive: true });
    await writeUnclipCheckpoint(path.join(paths.models, 'checkpoints', 'tiny-unclip.safetensors'));
    fs.mkdirSync(path.join(paths.models, 'clip_vision'), { recursive: true });
    fs.copyFileSync(
      golden('comfy-models', 'clip_vision', 'tiny-clip-vision.safetensors'),
      path.join(paths.models, 'clip_vision', 'tiny-clip-vision.safetensors'),
    );
  });

  it('KSampler on an unCLIP model: the image embedding (strength 0.9, noise 0.2) as ADM, zeros without it, as ComfyUI', async () => {
    const loaded = (await callNode('unCLIPCheckpointLoader', { ckpt_name: 'tiny-unclip.safetensors' }, {}, o)).outputs;
    const positive = (
      await callNode('unCLIPConditioning', { strength: 0.9, noise_augmentation: 0.2 }, { conditioning: ctx(0), clip_vision_output: vision }, o)
    ).outputs.CONDITIONING;
    const sample = async (pos: unknown) => {
      const params = { seed: 42, steps: 3, cfg: 7.5, sampler_name: 'euler', scheduler: 'normal', denoise: 1 };
      const latent_image = { samples: { shape: [1, 4, 8, 8], data: new Float32Array(256) } };
      const { outputs } = await callNode('KSampler', params, { model: loaded.MODEL, positive: pos, negative: ctx(5), latent_image }, o);
      return (outputs.LATENT as LatentValue).samples.data;
    };
    for (const [name, cond, want] of [
      ['without', ctx(0), COMFY.noUnclip],
      ['with unCLIP', positive, COMFY.withUnclip],
    ] as const) {
      const got = await sample(cond);
      const err = relErr(picks(got), want.picks);
      console.log(`[comfy] unclip ${name}: latent rel err ${err.toExponential(2)}`);
      expect(err).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(absSum(got) - want.abs) / want.abs).toBeLessThan(1e-4);
    }
    // strength 0 leaves the conditioning as it was (ComfyUI)
    const zero = (
      await callNode('unCLIPConditioning', { strength: 0, noise_augmentation: 0.2 }, { conditioning: ctx(0), clip_vision_output: vision }, o)
    ).outputs.CONDITIONING as Conditioning;
    expect(zero.entries[0].unclipConditioning).toBeUndefined();
  });

  it("the checkpoint's open_clip image tower encodes exactly as the same weights in HF layout", async () => {
    const loaded = (await callNode('unCLIPCheckpointLoader', { ckpt_name: 'tiny-unclip.safetensors' }, {}, o)).outputs;
    const hf = (await callNode('CLIPVisionLoader', { clip_name: 'tiny-clip-vision.safetensors' }, {}, o)).outputs.CLIP_VISION;
    const image = { shape: [1, 48, 64, 3], data: Float32Array.from({ length: 48 * 64 * 3 }, (_, i) => ((i * 7) % 255) / 255) };
    const a = (await callNode('CLIPVisionEncode', { crop: 'center' }, { clip_vision: loaded.CLIP_VISION, image }, o)).outputs
      .CLIP_VISION_OUTPUT as ClipVisionOutput;
    const b = (await callNode('CLIPVisionEncode', { crop: 'center' }, { clip_vision: hf, image }, o)).outputs.CLIP_VISION_OUTPUT as ClipVisionOutput;
    expect(Array.from(a.imageEmbeds.data)).toEqual(Array.from(b.imageEmbeds.data));
    expect(Array.from(a.lastHiddenState.data)).toEqual(Array.from(b.lastHiddenState.data));
  });

  it('on SDXL (Revision) the embedding replaces the 1280-wide pooled output; a model with another width says so', async () => {
    fs.copyFileSync(golden('tiny-sdxl', 'model.safetensors'), path.join(paths.models, 'checkpoints', 'tiny-sdxl.safetensors'));
    const xl = (await callNode('CheckpointLoaderSimple', { ckpt_name: 'tiny-sdxl.safetensors' }, {}, o)).outputs;
    const text = (await callNode('CLIPTextEncode', { text: 'a cat' }, { clip: xl.CLIP }, o)).outputs.CONDITIONING;
    const bigG = { ...vision, imageEmbeds: { shape: [1, 1280], data: new Float32Array(1280).fill(0.5) } };
    const positive = (
      await callNode('unCLIPConditioning', { strength: 1, noise_augmentation: 0 }, { conditioning: text, clip_vision_output: bigG }, o)
    ).outputs.CONDITIONING;
    const params = { seed: 1, steps: 1, cfg: 7.5, sampler_name: 'euler', scheduler: 'normal', denoise: 1 };
    const latent_image = { samples: { shape: [1, 4, 8, 8], data: new Float32Array(256) } };
    await expect(callNode('KSampler', params, { model: xl.MODEL, positive, negative: text, latent_image }, o)).rejects.toThrow(
      /unCLIP on SDXL replaces the 1280-wide pooled output, but this model's is 128 wide/,
    );
  });

  it('SDXL Revision against ComfyUI (comfy-refs/unclip_sdxl.py): tiny-sdxl with a label_emb taking 1280 + 6·256', async () => {
    const src = await openSafetensors(golden('tiny-sdxl', 'model.safetensors'));
    const ted = src.tensors.get('model.diffusion_model.label_emb.0.0.weight')?.shape[0] ?? 0;
    const shapes: Record<string, number[]> = {
      'label_emb.0.0.bias': [ted],
      'label_emb.0.0.weight': [ted, 2816],
      'label_emb.0.2.bias': [ted],
      'label_emb.0.2.weight': [ted, ted],
    };
    const formula = (k: string, t: number) =>
      Float32Array.from({ length: shapes[k].reduce((a, b) => a * b, 1) }, (_, i) => (((i * 7919 + t * 104729) % 2001) - 1000) / 8192);
    const entries: Entry[] = [...src.tensors]
      .filter(([k]) => !k.startsWith('model.diffusion_model.label_emb.'))
      .map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape, data: async () => new Uint8Array(await t.read()) }));
    Object.keys(shapes)
      .sort()
      .forEach((k, t) =>
        entries.push({ name: `model.diffusion_model.${k}`, dtype: 'F32', shape: shapes[k], data: async () => bytesOf(formula(k, t)) }),
      );
    await writeSafetensors(path.join(paths.models, 'checkpoints', 'tiny-sdxl-1280.safetensors'), entries);
    const model = (await callNode('CheckpointLoaderSimple', { ckpt_name: 'tiny-sdxl-1280.safetensors' }, {}, o)).outputs.MODEL;
    const f = (n: number, k: number, d: number) => Float32Array.from({ length: n }, (_, i) => (((i * 17 + k) % 89) - 44) / d);
    const cond = (k: number, kp: number): Conditioning => ({
      kind: 'conditioning',
      entries: [{ family: 'sdxl', cross: { shape: [1, 77, 192], data: f(77 * 192, k, 64) }, pooled: { shape: [1, 1280], data: f(1280, kp, 32) } }],
    });
    const images = {
      ...vision,
      imageEmbeds: { shape: [2, 1280], data: Float32Array.from({ length: 2560 }, (_, i) => (((i * 13) % 101) - 50) / 40) },
    };
    const positive = (
      await callNode('unCLIPConditioning', { strength: 0.7, noise_augmentation: 0.25 }, { conditioning: cond(0, 3), clip_vision_output: images }, o)
    ).outputs.CONDITIONING;
    const params = { seed: 77, steps: 2, cfg: 6, sampler_name: 'euler', scheduler: 'normal', denoise: 1 };
    const latent_image = { samples: { shape: [1, 4, 8, 8], data: new Float32Array(256) } };
    const got = ((await callNode('KSampler', params, { model, positive, negative: cond(5, 9), latent_image }, o)).outputs.LATENT as LatentValue)
      .samples.data;
    const want = [
      -130.689, -3.82291, -63.7062, -121.097, 230.096, 194.76, -161.172, 23.0241, 241.405, 205.256, 47.5787, 47.6113, -178.461, -5.84318, 126.118,
      -123.196,
    ];
    const err = relErr(picks(got), want);
    console.log(`[comfy] sdxl revision: latent rel err ${err.toExponential(2)}`);
    expect(err).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(absSum(got) - 41175.9) / 41175.9).toBeLessThan(1e-4);
  });

  it('unCLIPCheckpointLoader refuses a checkpoint that is not unCLIP', async () => {
    fs.copyFileSync(golden('tiny-sd1', 'model.safetensors'), path.join(paths.models, 'checkpoints', 'plain.safetensors'));
    await expect(callNode('unCLIPCheckpointLoader', { ckpt_name: 'plain.safetensors' }, {}, o)).rejects.toThrow(
      /plain\.safetensors is not an unCLIP checkpoint \(sd1, no label_emb\): load it with CheckpointLoaderSimple/,
    );
  });
});
