/**
 * UNETLoader, CLIPLoader, DualCLIPLoader and VAELoader on component files split from the tiny checkpoints (LDM,
 * diffusers and HF layouts, written here at test time): the same numbers as CheckpointLoaderSimple.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../server/runtime/checkpoint/load';
import { diffusersLayout, diffusersToLdmMap } from '../../server/runtime/checkpoint/diffusers-unet';
import type { WeightProvider } from '../../server/runtime/checkpoint/weights';
import { deriveUNetConfig } from '../../server/runtime/checkpoint/arch/unet';
import type { Conditioning, ModelHandle } from '../../server/runtime/handles';
import { writeSafetensors } from '../../server/runtime/io/safetensors-write';
import { ModelCache } from '../../server/runtime/model-cache';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import type { ImageValue, LatentValue } from '../../server/runtime/values';
import { maxAbsDiff } from '../helpers/compare';
import { describeGolden, golden } from '../helpers/golden';
import { pipelineRoot, type PipelineRoot } from '../runtime/pipeline/support';
import { loaded, nodeCaller } from './ml/support';

/** Writes `names` (new name → provider name) of a provider as an F32 safetensors file. */
async function writeFrom(
  file: string,
  w: WeightProvider,
  names: Map<string, string>,
  extra: { name: string; shape: number[]; data: Float32Array }[] = [],
) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tensors = await Promise.all([...names].map(async ([name, src]) => ({ name, shape: [...w.info(src).shape], data: await w.float32(src) })));
  await writeSafetensors(
    file,
    [...tensors, ...extra].map((t) => ({
      name: t.name,
      dtype: 'F32' as const,
      shape: t.shape,
      data: async () => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
    })),
  );
}

const same = (w: WeightProvider, prefix = '') => new Map(w.names().map((n) => [prefix + n, n]));

/** ComfyUI's unet_to_diffusers entries for the tiny configs (comfy/utils.py at 3cd7b32f), spot-checked. */
const COMFY_SD1 = {
  'down_blocks.0.resnets.1.time_emb_proj.weight': 'input_blocks.2.0.emb_layers.1.weight',
  'down_blocks.1.attentions.1.transformer_blocks.0.attn2.to_k.weight': 'input_blocks.5.1.transformer_blocks.0.attn2.to_k.weight',
  'down_blocks.1.downsamplers.0.conv.weight': 'input_blocks.6.0.op.weight',
  'mid_block.attentions.0.transformer_blocks.0.ff.net.2.bias': 'middle_block.1.transformer_blocks.0.ff.net.2.bias',
  'mid_block.resnets.1.conv2.weight': 'middle_block.2.out_layers.3.weight',
  'up_blocks.0.attentions.2.proj_out.weight': 'output_blocks.2.1.proj_out.weight',
  'up_blocks.0.upsamplers.0.conv.bias': 'output_blocks.2.2.conv.bias',
  'up_blocks.1.resnets.2.conv_shortcut.weight': 'output_blocks.5.0.skip_connection.weight',
  'up_blocks.1.upsamplers.0.conv.weight': 'output_blocks.5.2.conv.weight',
  'up_blocks.2.resnets.0.norm1.bias': 'output_blocks.6.0.in_layers.0.bias',
  'time_embedding.linear_2.bias': 'time_embed.2.bias',
  'conv_out.weight': 'out.2.weight',
};
const COMFY_SDXL = {
  'add_embedding.linear_1.weight': 'label_emb.0.0.weight',
  'down_blocks.1.attentions.1.transformer_blocks.0.attn2.to_k.weight': 'input_blocks.5.1.transformer_blocks.0.attn2.to_k.weight',
  'up_blocks.0.attentions.0.transformer_blocks.1.attn1.to_q.weight': 'output_blocks.0.1.transformer_blocks.1.attn1.to_q.weight',
  'up_blocks.0.upsamplers.0.conv.weight': 'output_blocks.2.2.conv.weight',
  'up_blocks.1.resnets.2.conv_shortcut.bias': 'output_blocks.5.0.skip_connection.bias',
};

/** Our map's inverse for a tiny UNet (LDM → diffusers), from its LDM config. */
function ldmToDiffusers(unet: WeightProvider): Map<string, string> {
  const cfg = deriveUNetConfig(unet);
  const map = diffusersToLdmMap({
    numResBlocks: cfg.numResBlocks,
    transformerDepth: cfg.channelMult.flatMap((_, level) => Array(cfg.numResBlocks[level]).fill(cfg.transformerDepth[level])),
    transformerDepthMiddle: cfg.transformerDepthMiddle,
    transformerDepthOutput: [...cfg.transformerDepthOutput].reverse(),
  });
  const inverse = new Map<string, string>();
  for (const [d, l] of map) if (unet.has(l) && !(d.startsWith('class_embedding') && inverse.has(l))) inverse.set(l, d);
  return inverse;
}

describe('diffusers UNet names', () => {
  it("match ComfyUI's unet_to_diffusers for the tiny SD1 and SDXL layouts", async () => {
    // the layouts ComfyUI detects for tiny-sd1 / tiny-sdxl (read from the diffusers names themselves below)
    const sd1 = diffusersToLdmMap({
      numResBlocks: [2, 2, 2],
      transformerDepth: [0, 0, 1, 1, 1, 1],
      transformerDepthMiddle: 1,
      transformerDepthOutput: [0, 0, 0, 1, 1, 1, 1, 1, 1],
    });
    for (const [d, l] of Object.entries(COMFY_SD1)) expect(sd1.get(d), d).toBe(l);
  });
});

describeGolden('split loaders on files cut from the tiny checkpoints', () => {
  let root: PipelineRoot;
  let call: ReturnType<typeof nodeCaller>;
  let base: ReturnType<typeof loaded>;
  let xl: ReturnType<typeof loaded>;
  const file = (kind: string, name: string) => path.join(root.paths.models, kind, name);

  beforeAll(async () => {
    root = pipelineRoot({
      'checkpoints/sd1.safetensors': golden('tiny-sd1', 'model.safetensors'),
      'checkpoints/xl.safetensors': golden('tiny-sdxl', 'model.safetensors'),
    });
    process.env.LOOM_CACHE_DIR = path.join(root.root, 'weight-cache');
    call = nodeCaller(root.paths, new ModelCache(2 ** 30));
    base = loaded((await call('CheckpointLoaderSimple', { ckpt_name: 'sd1.safetensors' })).outputs);
    xl = loaded((await call('CheckpointLoaderSimple', { ckpt_name: 'xl.safetensors' })).outputs);
    const sd1 = await loadCheckpoint(golden('tiny-sd1', 'model.safetensors'));
    const sdxl = await loadCheckpoint(golden('tiny-sdxl', 'model.safetensors'));
    await writeFrom(file('diffusion_models', 'sd1-ldm.safetensors'), sd1.provider('unet'), same(sd1.provider('unet'), 'model.diffusion_model.'));
    const toDiff = ldmToDiffusers(sd1.provider('unet'));
    await writeFrom(file('unet', 'sd1-diffusers.safetensors'), sd1.provider('unet'), new Map([...toDiff].map(([l, d]) => [d, l])));
    const xlDiff = ldmToDiffusers(sdxl.provider('unet'));
    await writeFrom(file('diffusion_models', 'xl-diffusers.safetensors'), sdxl.provider('unet'), new Map([...xlDiff].map(([l, d]) => [d, l])));
    await writeFrom(file('text_encoders', 'sd1-clip.safetensors'), sd1.provider('clip'), same(sd1.provider('clip'), 'text_model.'));
    await writeFrom(file('clip', 'xl-clip-l.safetensors'), sdxl.provider('clip_l'), same(sdxl.provider('clip_l'), 'text_model.'));
    await writeFrom(file('text_encoders', 'xl-clip-g.safetensors'), sdxl.provider('clip_g'), same(sdxl.provider('clip_g')));
    await writeFrom(file('vae', 'sd1-vae.safetensors'), sd1.provider('vae'), same(sd1.provider('vae')));
    await writeHfClipG(file('text_encoders', 'xl-clip-g-hf.safetensors'), sdxl.provider('clip_g'));
    await writeDiffusersVae(file('vae', 'sd1-vae-diffusers.safetensors'), sd1.provider('vae'));
  });
  afterAll(async () => {
    await sessionCache.clear();
    root.cleanup();
  });

  const txt2img = async (model: unknown, clip: unknown, vae: unknown) => {
    const positive = (await call('CLIPTextEncode', { text: 'a photo of a cat' }, { clip })).outputs.CONDITIONING as Conditioning;
    const negative = (await call('CLIPTextEncode', { text: 'blurry' }, { clip })).outputs.CONDITIONING;
    const latent_image = (await call('EmptyLatentImage', { width: 64, height: 64, batch_size: 1 })).outputs.LATENT;
    const latent = (await call('KSampler', { seed: 5, steps: 2 }, { model, positive, negative, latent_image })).outputs.LATENT as LatentValue;
    const image = (await call('VAEDecode', {}, { samples: latent, vae })).outputs.IMAGE as ImageValue;
    return { cond: positive.entries[0].cross.data, latent: latent.samples.data, image: image.data };
  };

  it('UNETLoader (LDM and diffusers names) + CLIPLoader + VAELoader = the SD1 checkpoint', async () => {
    const want = await txt2img(base.model, base.clip, base.vae);
    const clip = (await call('CLIPLoader', { clip_name: 'sd1-clip.safetensors', type: 'stable_diffusion' })).outputs.CLIP;
    const vae = (await call('VAELoader', { vae_name: 'sd1-vae.safetensors' })).outputs.VAE;
    for (const unet_name of ['sd1-ldm.safetensors', 'sd1-diffusers.safetensors']) {
      const model = (await call('UNETLoader', { unet_name })).outputs.MODEL as ModelHandle;
      expect(model).toMatchObject({ family: 'sd1', prediction: 'eps' });
      const got = await txt2img(model, clip, vae);
      expect(maxAbsDiff(got.cond, want.cond), unet_name).toBe(0);
      expect(maxAbsDiff(got.latent, want.latent), unet_name).toBe(0);
      expect(maxAbsDiff(got.image, want.image), unet_name).toBe(0);
    }
  });

  it('a diffusers-layout VAE and an HF-layout clip_g (GELU) give the same numbers', async () => {
    const vae = (await call('VAELoader', { vae_name: 'sd1-vae-diffusers.safetensors' })).outputs.VAE;
    const latent = { samples: { shape: [1, 4, 8, 8], data: Float32Array.from({ length: 256 }, (_, i) => Math.sin(i)) } };
    const img = async (v: unknown) => ((await call('VAEDecode', {}, { samples: latent, vae: v })).outputs.IMAGE as ImageValue).data;
    expect(maxAbsDiff(await img(vae), await img(base.vae))).toBe(0);
    const clip = (await call('DualCLIPLoader', { clip_name1: 'xl-clip-l.safetensors', clip_name2: 'xl-clip-g-hf.safetensors', type: 'sdxl' })).outputs
      .CLIP;
    const enc = async (c: unknown) => (await call('CLIPTextEncode', { text: 'a red house' }, { clip: c })).outputs.CONDITIONING as Conditioning;
    const [got, want] = [await enc(clip), await enc(xl.clip)];
    expect(maxAbsDiff(got.entries[0].cross.data, want.entries[0].cross.data)).toBeLessThan(1e-5);
    expect(maxAbsDiff(got.entries[0].pooled?.data ?? new Float32Array(), want.entries[0].pooled?.data ?? new Float32Array(1))).toBeLessThan(1e-5);
  });

  it('a diffusers SDXL UNet and DualCLIPLoader (HF clip_l, open_clip clip_g, either order) = the SDXL checkpoint', async () => {
    const xlMap = diffusersToLdmMap(diffusersLayout(await loadCheckpointDict(file('diffusion_models', 'xl-diffusers.safetensors'))));
    for (const [d, l] of Object.entries(COMFY_SDXL)) expect(xlMap.get(d), d).toBe(l);
    const model = (await call('UNETLoader', { unet_name: 'xl-diffusers.safetensors' })).outputs.MODEL as ModelHandle;
    expect(model.family).toBe('sdxl');
    const a = (await call('DualCLIPLoader', { clip_name1: 'xl-clip-l.safetensors', clip_name2: 'xl-clip-g.safetensors', type: 'sdxl' })).outputs.CLIP;
    const b = (await call('DualCLIPLoader', { clip_name1: 'xl-clip-g.safetensors', clip_name2: 'xl-clip-l.safetensors', type: 'sdxl' })).outputs.CLIP;
    const enc = async (clip: unknown) => (await call('CLIPTextEncode', { text: 'a red house' }, { clip })).outputs.CONDITIONING as Conditioning;
    const want = await enc(xl.clip);
    for (const clip of [a, b]) {
      const got = await enc(clip);
      expect(maxAbsDiff(got.entries[0].cross.data, want.entries[0].cross.data)).toBe(0);
      expect(maxAbsDiff(got.entries[0].pooled?.data ?? new Float32Array(), want.entries[0].pooled?.data ?? new Float32Array(1))).toBe(0);
    }
    const latent_image = (await call('EmptyLatentImage', { width: 64, height: 64, batch_size: 1 })).outputs.LATENT;
    const sample = async (m: unknown) =>
      ((await call('KSampler', { seed: 3, steps: 2 }, { model: m, positive: want, negative: want, latent_image })).outputs.LATENT as LatentValue)
        .samples.data;
    expect(maxAbsDiff(await sample(model), await sample(xl.model))).toBe(0);
  });

  it('says what is wrong: an unsupported CLIP type, a VAE given as a UNet, fp8 storage', async () => {
    await expect(call('CLIPLoader', { clip_name: 'sd1-clip.safetensors', type: 'sd3' })).rejects.toThrow(
      'CLIP type "sd3" is not supported (supported: stable_diffusion)',
    );
    await expect(call('UNETLoader', { unet_name: '../vae/sd1-vae.safetensors' })).rejects.toThrow();
    fs.copyFileSync(file('vae', 'sd1-vae.safetensors'), file('unet', 'not-a-unet.safetensors'));
    await expect(call('UNETLoader', { unet_name: 'not-a-unet.safetensors' })).rejects.toThrow('not-a-unet.safetensors is not a diffusion model');
    const fp8 = await call('UNETLoader', { unet_name: 'sd1-ldm.safetensors', weight_dtype: 'fp8_e4m3fn' });
    expect(fp8.warnings[0]).toMatch(/fp8 weight storage is not implemented/);
  });
});

async function loadCheckpointDict(file: string) {
  const { openSafetensors } = await import('../../server/runtime/io/safetensors');
  return (await openSafetensors(file)).tensors;
}

/** open_clip names → HF CLIPTextModelWithProjection names (in_proj split into q, k, v; text_projection transposed). */
async function writeHfClipG(file: string, w: WeightProvider) {
  const out: { name: string; shape: number[]; data: Float32Array }[] = [];
  const put = async (name: string, src: string) => out.push({ name, shape: [...w.info(src).shape], data: await w.float32(src) });
  await put('text_model.embeddings.token_embedding.weight', 'token_embedding.weight');
  await put('text_model.embeddings.position_embedding.weight', 'positional_embedding');
  await put('text_model.final_layer_norm.weight', 'ln_final.weight');
  await put('text_model.final_layer_norm.bias', 'ln_final.bias');
  const [width, proj] = w.info('text_projection').shape;
  const tp = await w.float32('text_projection');
  const t = new Float32Array(width * proj);
  for (let i = 0; i < width; i++) for (let j = 0; j < proj; j++) t[j * width + i] = tp[i * proj + j];
  out.push({ name: 'text_projection.weight', shape: [proj, width], data: t });
  for (let i = 0; w.has(`transformer.resblocks.${i}.ln_1.weight`); i++) {
    const r = `transformer.resblocks.${i}`;
    const l = `text_model.encoder.layers.${i}`;
    const inW = await w.float32(`${r}.attn.in_proj_weight`);
    const inB = await w.float32(`${r}.attn.in_proj_bias`);
    ['q', 'k', 'v'].forEach((x, k) => {
      out.push({ name: `${l}.self_attn.${x}_proj.weight`, shape: [width, width], data: inW.slice(k * width * width, (k + 1) * width * width) });
      out.push({ name: `${l}.self_attn.${x}_proj.bias`, shape: [width], data: inB.slice(k * width, (k + 1) * width) });
    });
    for (const [hf, oc] of [
      ['self_attn.out_proj', 'attn.out_proj'],
      ['layer_norm1', 'ln_1'],
      ['layer_norm2', 'ln_2'],
      ['mlp.fc1', 'mlp.c_fc'],
      ['mlp.fc2', 'mlp.c_proj'],
    ]) {
      await put(`${l}.${hf}.weight`, `${r}.${oc}.weight`);
      await put(`${l}.${hf}.bias`, `${r}.${oc}.bias`);
    }
  }
  await writeFrom(file, w, new Map(), out);
}

/** LDM VAE names → diffusers AutoencoderKL names (decoder levels reversed, attention as Linear). */
async function writeDiffusersVae(file: string, w: WeightProvider) {
  const levels = Math.max(...w.names().map((n) => Number(/^decoder\.up\.(\d+)\./.exec(n)?.[1] ?? -1))) + 1;
  const resnet: Record<string, string> = { norm1: 'norm1', conv1: 'conv1', norm2: 'norm2', conv2: 'conv2', nin_shortcut: 'conv_shortcut' };
  const attn: Record<string, string> = { norm: 'group_norm', q: 'to_q', k: 'to_k', v: 'to_v', proj_out: 'to_out.0' };
  const out: { name: string; shape: number[]; data: Float32Array }[] = [];
  const renames: [RegExp, (m: RegExpExecArray) => string][] = [
    [
      /^(encoder|decoder)\.(down|up)\.(\d+)\.block\.(\d+)\.(\w+)\.(weight|bias)$/,
      (m) => `${m[1]}.${m[2]}_blocks.${m[2] === 'up' ? levels - 1 - Number(m[3]) : Number(m[3])}.resnets.${m[4]}.${resnet[m[5]]}.${m[6]}`,
    ],
    [/^encoder\.down\.(\d+)\.downsample\.conv\.(weight|bias)$/, (m) => `encoder.down_blocks.${m[1]}.downsamplers.0.conv.${m[2]}`],
    [/^decoder\.up\.(\d+)\.upsample\.conv\.(weight|bias)$/, (m) => `decoder.up_blocks.${levels - 1 - Number(m[1])}.upsamplers.0.conv.${m[2]}`],
    [/^(encoder|decoder)\.mid\.block_(\d)\.(\w+)\.(weight|bias)$/, (m) => `${m[1]}.mid_block.resnets.${Number(m[2]) - 1}.${resnet[m[3]]}.${m[4]}`],
    [/^(encoder|decoder)\.mid\.attn_1\.(\w+)\.(weight|bias)$/, (m) => `${m[1]}.mid_block.attentions.0.${attn[m[2]]}.${m[3]}`],
    [/^(encoder|decoder)\.norm_out\.(weight|bias)$/, (m) => `${m[1]}.conv_norm_out.${m[2]}`],
  ];
  for (const n of w.names()) {
    let name = n;
    for (const [re, to] of renames) {
      const m = re.exec(n);
      if (m) {
        name = to(m);
        break;
      }
    }
    let shape = [...w.info(n).shape];
    // diffusers stores the mid-block attention projections as linear layers, ldm as 1x1 convs
    if (name.includes('.mid_block.attentions.0.') && shape.length === 4) shape = shape.slice(0, 2);
    out.push({ name, shape, data: await w.float32(n) });
  }
  await writeFrom(file, w, new Map(), out);
}
