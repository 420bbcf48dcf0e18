/** ML nodes fail with errors naming node, input and expectation; sampling reports progress and honours cancellation. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LatentValue } from '../../../server/runtime/values';
import { writeSafetensors } from '../../../server/runtime/io/safetensors-write';
import { sessionCache } from '../../../server/runtime/onnx/session-cache';
import type { ClipHandle, Conditioning, ModelHandle } from '../../../server/runtime/handles';
import { ModelCache } from '../../../server/runtime/model-cache';
import { describeGolden, golden } from '../../helpers/golden';
import { pipelineRoot, type PipelineRoot } from '../../runtime/pipeline/support';
import { loaded, nodeCaller } from './support';

const emptyLatent = (): LatentValue => ({ samples: { shape: [1, 4, 8, 8], data: new Float32Array(256) } });
const SAMPLER = { seed: 1, steps: 6, cfg: 7.5, sampler_name: 'euler', scheduler: 'normal', denoise: 1 };

describeGolden('ML node errors, progress and cancellation', () => {
  let root: PipelineRoot;
  let call: ReturnType<typeof nodeCaller>;
  let model: ModelHandle;
  let clip: ClipHandle;
  let xl: { model: ModelHandle; clip: ClipHandle };
  const encode = async (c: ClipHandle, text: string) => (await call('CLIPTextEncode', { text }, { clip: c })).outputs.CONDITIONING as Conditioning;

  beforeAll(async () => {
    root = pipelineRoot({
      'checkpoints/sd1.safetensors': golden('tiny-sd1', 'model.safetensors'),
      'checkpoints/xl.safetensors': golden('tiny-sdxl', 'model.safetensors'),
    });
    process.env.LOOM_CACHE_DIR = path.join(root.root, 'weight-cache');
    call = nodeCaller(root.paths, new ModelCache(4 * 2 ** 30));
    ({ model, clip } = loaded((await call('CheckpointLoaderSimple', { ckpt_name: 'sd1.safetensors' })).outputs));
    xl = loaded((await call('CheckpointLoaderSimple', { ckpt_name: 'xl.safetensors' })).outputs);
  });
  afterAll(async () => {
    await sessionCache.clear();
    root.cleanup();
  });

  it('CheckpointLoaderSimple: empty, escaping and missing names', async () => {
    await expect(call('CheckpointLoaderSimple', { ckpt_name: '' })).rejects.toThrow(/ckpt_name: no checkpoints file chosen/);
    await expect(call('CheckpointLoaderSimple', { ckpt_name: '../../etc/passwd' })).rejects.toThrow(
      /ckpt_name: checkpoints name "..\/..\/etc\/passwd" refused: it climbs out with ".."/,
    );
    await expect(call('CheckpointLoaderSimple', { ckpt_name: 'nope.safetensors' })).rejects.toThrow(/ckpt_name: .*"nope.safetensors".*not found/);
  });

  it('unlinked or wrong-typed inputs name the input and what was expected', async () => {
    await expect(call('CLIPTextEncode', { text: 'x' })).rejects.toThrow('input "clip" (CLIP) got no value');
    const cond = await encode(clip, 'a cat');
    await expect(call('KSampler', SAMPLER, { model, positive: cond, negative: cond, latent_image: { nope: 1 } })).rejects.toThrow(
      'input "latent_image" expects LATENT but got an object of another kind.',
    );
    await expect(call('VAEDecode', {}, { samples: emptyLatent(), vae: model })).rejects.toThrow('input "vae" expects VAE but got a MODEL.');
  });

  it('CLIPTextEncode: a missing embedding is skipped (ComfyUI), an unreadable one is an error naming it', async () => {
    const plain = await encode(clip, 'a cat');
    const skipped = await encode(clip, 'a cat embedding:nothere');
    expect(skipped.entries[0].cross.data).toEqual(plain.entries[0].cross.data);
    fs.mkdirSync(path.join(root.paths.models, 'embeddings'), { recursive: true });
    fs.writeFileSync(path.join(root.paths.models, 'embeddings', 'style.pt'), 'x');
    await expect(encode(clip, 'a cat embedding:style')).rejects.toThrow(/embedding:style: .*style\.pt: not an embedding file/);
  });

  it('ModelMergeSimple: both models required, of one family', async () => {
    await expect(call('ModelMergeSimple', {}, { model1: model })).rejects.toThrow(/input "model2" \(MODEL\) got no value/);
    await expect(call('ModelMergeSimple', {}, { model1: model, model2: xl.model })).rejects.toThrow(/different families \(sd1, sdxl\)/);
  });

  it('LoraLoader: a file that maps nothing is an error', async () => {
    const file = path.join(root.paths.models, 'loras', 'foreign.safetensors');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const t = (name: string, shape: number[]) => ({
      name,
      dtype: 'F32' as const,
      shape,
      data: async () => new Uint8Array(4 * shape.reduce((a, b) => a * b, 1)),
    });
    await writeSafetensors(file, [t('lora_unet_no_such_block.lora_down.weight', [4, 8]), t('lora_unet_no_such_block.lora_up.weight', [8, 4])]);
    await expect(call('LoraLoader', { lora_name: 'foreign.safetensors' }, { model, clip })).rejects.toThrow(/foreign\.safetensors.*patches nothing/);
  });

  it('KSampler: conditioning from another family is refused before sampling', async () => {
    const sd1Cond = await encode(clip, 'a cat');
    await expect(call('KSampler', SAMPLER, { model: xl.model, positive: sd1Cond, negative: sd1Cond, latent_image: emptyLatent() })).rejects.toThrow(
      /positive: 128-wide text conditioning \(sd1\), the model takes 192/,
    );
  });

  it('KSampler: progress every step with a latent-sized preview; a long prompt (154 tokens) batches with a 77-token negative', async () => {
    const long = await encode(clip, Array.from({ length: 90 }, (_, i) => `word${i}`).join(' '));
    expect(long.entries[0].cross.shape[1]).toBeGreaterThan(77);
    const neg = await encode(clip, '');
    const r = await call('KSampler', SAMPLER, { model, positive: long, negative: neg, latent_image: emptyLatent() });
    expect(r.progress.map((p) => `${p.step}/${p.total}`)).toEqual(['1/6', '2/6', '3/6', '4/6', '5/6', '6/6']);
    expect(r.progress[0].preview?.shape).toEqual([1, 8, 8, 3]);
    const out = (r.outputs.LATENT as LatentValue).samples;
    expect(out.shape).toEqual([1, 4, 8, 8]);
    expect(out.data.every(Number.isFinite)).toBe(true);
  });

  it('KSampler: contexts too different to batch (5 chunks vs 1) run separately, equal to the batched run with the short one repeated', async () => {
    const pos = await encode(clip, Array.from({ length: 320 }, () => 'cat').join(' '));
    expect(pos.entries[0].cross.shape[1]).toBe(5 * 77);
    const neg = await encode(clip, '');
    const reps = new Float32Array(pos.entries[0].cross.data.length);
    for (let k = 0; k < 5; k++) reps.set(neg.entries[0].cross.data, k * neg.entries[0].cross.data.length);
    const negRepeated: Conditioning = {
      ...neg,
      entries: [{ ...neg.entries[0], cross: { data: reps, shape: [1, 5 * 77, neg.entries[0].cross.shape[2]] } }],
    };
    const sample = async (negative: Conditioning) =>
      (
        (await call('KSampler', { ...SAMPLER, steps: 2 }, { model, positive: pos, negative, latent_image: emptyLatent() })).outputs
          .LATENT as LatentValue
      ).samples.data;
    const separate = await sample(neg);
    const batched = await sample(negRepeated);
    let err = 0;
    let big = 0;
    for (let i = 0; i < separate.length; i++) {
      err = Math.max(err, Math.abs(separate[i] - batched[i]));
      big = Math.max(big, Math.abs(batched[i]));
    }
    expect(err / big).toBeLessThanOrEqual(1e-5);
  });

  it('KSampler: an aborted signal stops sampling', async () => {
    const cond = await encode(clip, 'a cat');
    const ac = new AbortController();
    ac.abort();
    await expect(call('KSampler', SAMPLER, { model, positive: cond, negative: cond, latent_image: emptyLatent() }, ac.signal)).rejects.toThrow();
    const mid = new AbortController();
    const seen: number[] = [];
    const run = call('KSampler', SAMPLER, { model, positive: cond, negative: cond, latent_image: emptyLatent() }, mid.signal, (step) => {
      seen.push(step);
      if (step === 2) mid.abort();
    });
    await expect(run).rejects.toThrow();
    expect(seen).toEqual([1, 2]);
  });
});
