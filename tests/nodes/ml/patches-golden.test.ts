/** Model-patching and loader nodes against tiny-sd1 / LoRA goldens, called directly with real handles. */
import { knownSha256, sha256File } from '@/server/runtime/checkpoint/hash';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LatentValue, ImageValue } from '../../../server/runtime/values';
import { openSafetensors } from '../../../server/runtime/io/safetensors';
import { writeSafetensors } from '../../../server/runtime/io/safetensors-write';
import { sessionCache } from '../../../server/runtime/onnx/session-cache';
import type { ClipHandle, Conditioning, ModelHandle, VaeHandle } from '../../../server/runtime/handles';
import { unetFor } from '../../../server/runtime/models/cached';
import { ModelCache } from '../../../server/runtime/model-cache';
import { describeGolden, golden } from '../../helpers/golden';
import { readGoldenTensors, type GoldenTensor } from '../../helpers/read-golden';
import { maxAbsDiff, pipelineRoot, type PipelineRoot } from '../../runtime/pipeline/support';
import { loaded, nodeCaller, row } from './support';

const TOL = 1e-4;

describeGolden('ML nodes on tiny-sd1: LoRA, merge, clip skip, VAE encode, VAELoader, CheckpointSave', () => {
  let sd1: Map<string, GoldenTensor>;
  let lora: Map<string, GoldenTensor>;
  let root: PipelineRoot;
  let models: ModelCache;
  let call: ReturnType<typeof nodeCaller>;
  let base: { model: ModelHandle; clip: ClipHandle; vae: VaeHandle };
  const g = (m: Map<string, GoldenTensor>, k: string) => {
    const v = m.get(k);
    if (!v) throw new Error(`golden ${k} missing`);
    return v.data as Float32Array;
  };
  const encode = async (clip: ClipHandle, text = 'a photo of a cat') =>
    (await call('CLIPTextEncode', { text }, { clip })).outputs.CONDITIONING as Conditioning;
  const unetOut = async (model: ModelHandle, gold: Map<string, GoldenTensor>, context?: Float32Array) => {
    const u = await unetFor(models, model);
    const x = gold.get('unet.x')!;
    const out = await u.run({ data: x.data as Float32Array, shape: x.shape }, g(gold, 'unet.timesteps'), {
      data: context ?? g(gold, 'unet.context'),
      shape: [2, 77, 128],
    });
    return out.data;
  };

  beforeAll(async () => {
    sd1 = await readGoldenTensors(golden('tiny-sd1', 'golden.safetensors'));
    lora = await readGoldenTensors(golden('lora', 'golden.safetensors'));
    root = pipelineRoot({
      'checkpoints/a.safetensors': golden('tiny-sd1', 'model.safetensors'),
      'checkpoints/b.safetensors': golden('tiny-sd1', 'model_b.safetensors'),
      'loras/tiny.safetensors': golden('lora', 'tiny-sd1-lora.safetensors'),
      'checkpoints/sub/tiny.ckpt': golden('ckpt', 'tiny-sd1.ckpt'),
    });
    process.env.LOOM_CACHE_DIR = path.join(root.root, 'weight-cache');
    models = new ModelCache(4 * 2 ** 30);
    call = nodeCaller(root.paths, models);
    base = loaded((await call('CheckpointLoaderSimple', { ckpt_name: 'a.safetensors' })).outputs);
  });
  afterAll(async () => {
    await sessionCache.clear();
    root.cleanup();
  });

  it('CheckpointLoaderSimple: handles by file identity, loaded once', async () => {
    expect(base.model).toMatchObject({ kind: 'model', family: 'sd1', prediction: 'eps', latent: 'sd1' });
    const again = loaded((await call('CheckpointLoaderSimple', { ckpt_name: 'a.safetensors' })).outputs);
    expect(again.model.unet).toBe(base.model.unet);
    expect(models.keys().filter((k) => k.startsWith('checkpoint|'))).toHaveLength(1);
  });

  it('CheckpointLoaderSimple reads the pickle .ckpt of the same model (subfolder name) to the same conditioning', async () => {
    const ck = loaded((await call('CheckpointLoaderSimple', { ckpt_name: 'sub/tiny.ckpt' })).outputs);
    expect(ck.model.family).toBe('sd1');
    expect(maxAbsDiff((await encode(ck.clip)).entries[0].cross.data, row(g(sd1, 'clip.last_hidden_state'), 2, 0))).toBeLessThanOrEqual(TOL);
  });

  it('CLIPTextEncode = clip.last_hidden_state; CLIPSetLastLayer -2 = penultimate + final LN', async () => {
    const c = await encode(base.clip);
    expect(c.entries[0].cross.shape).toEqual([1, 77, 128]);
    expect(maxAbsDiff(c.entries[0].cross.data, row(g(sd1, 'clip.last_hidden_state'), 2, 0))).toBeLessThanOrEqual(TOL);
    const skip = (await call('CLIPSetLastLayer', { stop_at_clip_layer: -2 }, { clip: base.clip })).outputs.CLIP as ClipHandle;
    const c2 = await encode(skip);
    expect(maxAbsDiff(c2.entries[0].cross.data, row(g(sd1, 'clip.hidden_states_penultimate_final_ln'), 2, 0))).toBeLessThanOrEqual(TOL);
    expect(base.clip.layer).toBeUndefined();
  });

  it('LoraLoader (0.8 / 0.6): patched UNet and CLIP match the LoRA goldens; the base handles are untouched', async () => {
    expect(g(lora, 'strength_model')[0]).toBeCloseTo(0.8, 6);
    const out = (
      await call('LoraLoader', { lora_name: 'tiny.safetensors', strength_model: 0.8, strength_clip: 0.6 }, { model: base.model, clip: base.clip })
    ).outputs;
    const model = out.MODEL as ModelHandle;
    const clip = out.CLIP as ClipHandle;
    expect(model.key).not.toBe(base.model.key);
    const u = await unetOut(model, lora);
    console.log(`[ml] LoRA unet.out max err ${maxAbsDiff(u, g(lora, 'unet.out')).toExponential(2)}`);
    expect(maxAbsDiff(u, g(lora, 'unet.out'))).toBeLessThanOrEqual(TOL);
    const c = await encode(clip);
    expect(maxAbsDiff(c.entries[0].cross.data, row(g(lora, 'clip.last_hidden_state'), 2, 0))).toBeLessThanOrEqual(TOL);
    expect(maxAbsDiff(await unetOut(base.model, sd1), g(sd1, 'unet.out'))).toBeLessThanOrEqual(TOL);
    expect(maxAbsDiff((await encode(base.clip)).entries[0].cross.data, row(g(sd1, 'clip.last_hidden_state'), 2, 0))).toBeLessThanOrEqual(TOL);
  });

  it('LoraLoader: keys that map to nothing reach the user as a node warning naming the LoRA and the keys', async () => {
    const clean = await call(
      'LoraLoader',
      { lora_name: 'tiny.safetensors', strength_model: 0.8, strength_clip: 0.6 },
      { model: base.model, clip: base.clip },
    );
    expect(clean.warnings).toEqual([]);
    // the golden LoRA plus one module whose name fits no layer of this UNet
    const src = await openSafetensors(golden('lora', 'tiny-sd1-lora.safetensors'));
    const extra = (name: string, shape: number[]) => ({
      name,
      dtype: 'F16' as const,
      shape,
      data: async () => new Uint8Array(shape.reduce((a, b) => a * b, 1) * 2),
    });
    await writeSafetensors(path.join(root.paths.models, 'loras', 'partial.safetensors'), [
      ...[...src.tensors.values()].map((t) => ({ name: t.name, dtype: t.dtype, shape: [...t.shape], data: () => t.read() })),
      extra('lora_unet_down_blocks_9_attentions_0_proj_in.lora_down.weight', [4, 64]),
      extra('lora_unet_down_blocks_9_attentions_0_proj_in.lora_up.weight', [64, 4]),
    ]);
    const partial = await call(
      'LoraLoader',
      { lora_name: 'partial.safetensors', strength_model: 0.8, strength_clip: 0.6 },
      { model: base.model, clip: base.clip },
    );
    expect(partial.warnings).toHaveLength(1);
    expect(partial.warnings[0]).toContain('partial');
    expect(partial.warnings[0]).toContain('down_blocks_9_attentions_0_proj_in');
  });

  it('ModelMergeSimple / CLIPMergeSimple 0.7 (= 0.7·A + 0.3·B) match merge.* goldens', async () => {
    const b = loaded((await call('CheckpointLoaderSimple', { ckpt_name: 'b.safetensors' })).outputs);
    expect(g(sd1, 'merge.alpha')[0]).toBeCloseTo(0.3, 6);
    const out = {
      model: (await call('ModelMergeSimple', { ratio: 0.7 }, { model1: base.model, model2: b.model })).outputs.MODEL,
      clip: (await call('CLIPMergeSimple', { ratio: 0.7 }, { clip1: base.clip, clip2: b.clip })).outputs.CLIP,
    };
    const clip = out.clip as ClipHandle;
    const mergedCtx = g(sd1, 'merge.clip.last_hidden_state');
    expect(maxAbsDiff((await encode(clip)).entries[0].cross.data, row(mergedCtx, 2, 0))).toBeLessThanOrEqual(TOL);
    const u = await unetOut(out.model as ModelHandle, sd1, mergedCtx);
    console.log(`[ml] merge unet.out max err ${maxAbsDiff(u, g(sd1, 'merge.unet.out')).toExponential(2)}`);
    expect(maxAbsDiff(u, g(sd1, 'merge.unet.out'))).toBeLessThanOrEqual(TOL);
    // ratio 1 is model A exactly; A + (B − B) is A too
    const one = (await call('ModelMergeSimple', { ratio: 1 }, { model1: base.model, model2: b.model })).outputs.MODEL as ModelHandle;
    const name = 'input_blocks.4.1.proj_in.weight';
    expect(await one.unet.float32(name)).toEqual(await base.model.unet.float32(name));
    const zero = (await call('ModelMergeSubtract', { multiplier: 1 }, { model1: b.model, model2: b.model })).outputs.MODEL as ModelHandle;
    const same = (await call('ModelMergeAdd', {}, { model1: base.model, model2: zero })).outputs.MODEL as ModelHandle;
    expect(await same.unet.float32(name)).toEqual(await base.model.unet.float32(name));
  });

  it("ModelMergeSubtract is (model1 − model2) × multiplier, as ComfyUI's add_patches computes it", async () => {
    const b = loaded((await call('CheckpointLoaderSimple', { ckpt_name: 'b.safetensors' })).outputs);
    const name = 'input_blocks.4.1.proj_in.weight';
    const [wa, wb] = [await base.model.unet.float32(name), await b.model.unet.float32(name)];
    const sub = (await call('ModelMergeSubtract', { multiplier: 0.5 }, { model1: base.model, model2: b.model })).outputs.MODEL as ModelHandle;
    const got = await sub.unet.float32(name);
    const f = Math.fround;
    for (let i = 0; i < got.length; i += 97) expect(got[i]).toBe(f(f(wa[i] * 0.5) + f(wb[i] * -0.5)));
    const clipSub = (await call('CLIPMergeSubtract', { multiplier: 2 }, { clip1: base.clip, clip2: b.clip })).outputs.CLIP as ClipHandle;
    const te = clipSub.towers.clip!;
    const teName = te.names().find((n) => n.endsWith('q_proj.weight'))!;
    const [ta, tb, tg] = [await base.clip.towers.clip!.float32(teName), await b.clip.towers.clip!.float32(teName), await te.float32(teName)];
    expect(tg[3]).toBe(f(f(ta[3] * 2) + f(tb[3] * -2)));
  });

  it('VAEEncode: posterior mean of the golden image (IMAGE 0..1 channels-last in, VAE-space LATENT out)', async () => {
    const img = sd1.get('vae.image')!;
    const [, , h, w] = img.shape;
    const hwc = new Float32Array(h * w * 3);
    for (let k = 0; k < 3; k++) for (let p = 0; p < h * w; p++) hwc[p * 3 + k] = ((img.data[k * h * w + p] as number) + 1) / 2;
    const pixels: ImageValue = { shape: [1, h, w, 3], data: hwc };
    const latent = (await call('VAEEncode', {}, { pixels, vae: base.vae })).outputs.LATENT as LatentValue;
    expect(latent.samples.shape).toEqual([1, 4, 8, 8]);
    expect(maxAbsDiff(latent.samples.data, g(sd1, 'vae.posterior_mean'))).toBeLessThanOrEqual(TOL);
  });

  it('VAELoader: a standalone VAE file decodes like the checkpoint VAE', async () => {
    const st = await openSafetensors(golden('tiny-sd1', 'model.safetensors'));
    const entries = [...st.tensors.values()]
      .filter((t) => t.name.startsWith('first_stage_model.'))
      .map((t) => ({
        name: t.name.slice('first_stage_model.'.length),
        dtype: t.dtype,
        shape: t.shape,
        data: async () => new Uint8Array(await t.read()),
      }));
    fs.mkdirSync(path.join(root.paths.models, 'vae'), { recursive: true });
    await writeSafetensors(path.join(root.paths.models, 'vae', 'tiny-vae.safetensors'), entries);
    const vae = (await call('VAELoader', { vae_name: 'tiny-vae.safetensors' })).outputs.VAE as VaeHandle;
    const z = sd1.get('vae.z')!;
    const image = (await call('VAEDecode', {}, { samples: { samples: { shape: z.shape, data: z.data as Float32Array } }, vae })).outputs
      .IMAGE as ImageValue;
    expect(image.shape).toEqual([1, 64, 64, 3]);
    const dec = g(sd1, 'vae.decoded');
    let err = 0;
    for (let k = 0; k < 3; k++)
      for (let p = 0; p < 64 * 64; p++) {
        const want = Math.min(1, Math.max(0, (dec[k * 4096 + p] + 1) / 2));
        err = Math.max(err, Math.abs(image.data[p * 3 + k] - want));
      }
    expect(err).toBeLessThanOrEqual(TOL);
  });

  it('CheckpointSave: LoRA-patched handles round-trip through LoadCheckpoint, recipe in metadata', async () => {
    const patched = (
      await call('LoraLoader', { lora_name: 'tiny.safetensors', strength_model: 0.8, strength_clip: 0.6 }, { model: base.model, clip: base.clip })
    ).outputs;
    const saved = await call(
      'CheckpointSave',
      { filename_prefix: 'checkpoints/roundtrip' },
      { model: patched.MODEL, clip: patched.CLIP, vae: base.vae },
    );
    expect(saved.files).toEqual([{ path: 'checkpoints/roundtrip_00001_.safetensors', kind: 'checkpoint' }]);
    const file = path.join(root.paths.output, saved.files[0].path);
    const st = await openSafetensors(file);
    // hashed on its way out: the library knows its sha256 without reading it back
    expect(await knownSha256(file)).toBe(await sha256File(file));
    const recipe = JSON.parse(st.metadata['latentloom.recipe']) as { model: { step: string }[] };
    expect(recipe.model.map((s) => s.step)).toEqual(['checkpoint', 'lora']);
    const orig = await openSafetensors(golden('tiny-sd1', 'model.safetensors'));
    const vaeKey = 'first_stage_model.decoder.conv_in.weight';
    expect(Buffer.compare(await st.tensors.get(vaeKey)!.read(), await orig.tensors.get(vaeKey)!.read())).toBe(0);
    fs.renameSync(file, path.join(root.paths.models, 'checkpoints', 'roundtrip.safetensors'));
    const back = loaded((await call('CheckpointLoaderSimple', { ckpt_name: 'roundtrip.safetensors' })).outputs);
    expect(back.model.family).toBe('sd1');
    expect(maxAbsDiff((await encode(back.clip)).entries[0].cross.data, row(g(lora, 'clip.last_hidden_state'), 2, 0))).toBeLessThanOrEqual(TOL);
    expect(maxAbsDiff(await unetOut(back.model, lora), g(lora, 'unet.out'))).toBeLessThanOrEqual(TOL);
  });

  it('ModelSamplingDiscrete: v_prediction on a new handle; lcm and zsnr change only how it is sampled', async () => {
    const v = (await call('ModelSamplingDiscrete', { sampling: 'v_prediction' }, { model: base.model })).outputs.MODEL as ModelHandle;
    expect(v.prediction).toBe('v_prediction');
    expect(base.model.prediction).toBe('eps');
    // SaveCheckpoint writes the v_pred marker, so the saved file loads back as v-prediction on "auto"
    const saved = await call('CheckpointSave', { filename_prefix: 'vpred' }, { model: v, clip: base.clip, vae: base.vae });
    fs.renameSync(path.join(root.paths.output, saved.files[0].path), path.join(root.paths.models, 'checkpoints', 'vpred.safetensors'));
    expect(((await call('CheckpointLoaderSimple', { ckpt_name: 'vpred.safetensors' })).outputs.MODEL as ModelHandle).prediction).toBe('v_prediction');
    const lcm = (await call('ModelSamplingDiscrete', { sampling: 'lcm', zsnr: true }, { model: v })).outputs.MODEL as ModelHandle;
    expect(lcm.sampling).toEqual({ type: 'lcm', zsnr: true });
    expect(lcm.prediction).toBe('v_prediction'); // what the weights predict is unchanged
    expect(lcm.recipe.at(-1)).toEqual({ step: 'model_sampling', sampling: 'lcm', zsnr: true });
  });
});
