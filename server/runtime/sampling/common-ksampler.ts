/**
 * ComfyUI common_ksampler on handles: process_latent_in, seeded noise, the conditionings prepared (process_conds) and
 * batched per step (calc_cond_batch: [uncond, cond] in one UNet call for plain prompts), the LATENT's noise_mask
 * (KSamplerX0Inpaint), sampler + schedule, process_latent_out. LATENT values stay in VAE space outside this file.
 */
import type { ModelCache } from '../model-cache';
import type { ImageValue, LatentValue } from '../values';
import type { UNetRunner } from '../models';
import {
  kSample, latentPreview, ModelSamplingDiscrete, processLatentIn, processLatentOut,
  type SamplerName, type SchedulerName,
} from '.';
import type { CondEntry, Conditioning, ModelHandle } from '../handles';
import { sdxlVectorFor } from '../text/sdxl-size-cond';
import { unetFor, unetLoaded } from '../models/cached';
import { prepareNoise } from './noise';
import { checkUnetFits, unetRowsFit } from '../memory/unet-fits';
import { prepareConds, type ModelConds } from './conds';
import { condBatchPredictor, type UNetCall } from './cond-batch';
import { prepareDenoiseMask } from './inpaint';
import { rescaleCfg } from './rescale-cfg';
import type { PostCfgArgs } from './cfg';

export interface SampleRequest {
  model: ModelHandle;
  positive: Conditioning;
  negative: Conditioning;
  latent: LatentValue;
  seed: bigint | number;
  steps: number;
  cfg: number;
  sampler: SamplerName;
  scheduler: SchedulerName;
  denoise?: number;
  addNoise?: boolean;
  startStep?: number;
  endStep?: number;
  returnWithLeftoverNoise?: boolean;
  signal: AbortSignal;
  progress?: (step: number, total: number, preview?: ImageValue, stage?: 'loading model') => void;
}

/** The model's extra_conds for an entry: its cross-attention (width checked) and, for SDXL, its own `y`. */
function modelCondsFor(unet: UNetRunner, model: ModelHandle, latentShape: readonly number[]): (e: CondEntry, label: string) => ModelConds {
  const { contextDim, admInChannels } = unet.config;
  return (e, label) => {
    const s = e.cross.shape;
    if (s.length !== 3 || s[0] < 1 || s[1] < 1 || e.cross.data.length !== s[0] * s[1] * s[2]) {
      throw new Error(`${label}: conditioning tensor has shape [${s.join(', ')}], expected [batch, tokens, dim]`);
    }
    if (s[2] !== contextDim) {
      throw new Error(`${label}: ${s[2]}-wide text conditioning (${e.family}), the model takes ${contextDim}: conditioning from another model family?`);
    }
    if (e.concatLatentImage || e.concatMask) {
      // ComfyUI feeds these only to inpainting models (extra input channels), and ignores them otherwise
      if (unet.config.inChannels !== latentShape[1]) throw new Error(`${label}: inpainting-model conditioning is not supported yet`);
    }
    if (admInChannels === undefined) return { cross: e.cross };
    if (model.family !== 'sdxl') throw new Error(`${label}: ${model.family} models take no pooled-text vector here (only SDXL base is supported)`);
    if (!e.pooled) throw new Error(`${label} has no pooled text output (${e.family}): an SDXL UNet needs one (encode the prompt with the SDXL CLIP)`);
    const y = sdxlVectorFor(e, latentShape);
    if (y.length !== admInChannels) throw new Error(`${label}: SDXL size vector of ${y.length} values, the model takes ${admInChannels}`);
    return { cross: e.cross, y: { data: y, shape: [1, y.length] } };
  };
}

function unetCall(unet: UNetRunner): UNetCall {
  return async (x, t, context, y, extras) => {
    // no CondExtras hook is registered yet (prepareConds refuses control/gligen), so none can arrive here
    if (extras && Object.keys(extras).length > 0) throw new Error(`this UNet takes no extra inputs (${Object.keys(extras).join(', ')}) yet`);
    return (await unet.run(x, new Float32Array(x.shape[0]).fill(t), context, y)).data;
  };
}

function previewImage(model: ModelHandle, denoised: Float32Array, shape: readonly number[]): ImageValue {
  const p = latentPreview(model.latent, denoised, shape);
  return { shape: [1, p.height, p.width, 3], data: Float32Array.from(p.rgb, (v) => v / 255) };
}

export async function sampleLatent(models: ModelCache, r: SampleRequest): Promise<LatentValue> {
  const shape = r.latent.samples.shape;
  if (shape.length !== 4) throw new Error(`latent has shape [${shape.join(', ')}], expected [batch, channels, height, width]`);
  for (const [name, c] of [['positive', r.positive], ['negative', r.negative]] as const) {
    if (c.entries.length === 0) throw new Error(`${name} conditioning has no entries`);
  }
  const loading = !unetLoaded(models, r.model);
  // the first build takes seconds (a cold one tens): say so on the node instead of a silent bar
  if (loading) r.progress?.(0, 1, undefined, 'loading model');
  const unet = await unetFor(models, r.model);
  if (loading) r.progress?.(1, 1, undefined, 'loading model');
  await checkUnetFits(unet, shape, 2 * shape[0]);
  const modelSampling = new ModelSamplingDiscrete(r.model.sampling?.type ?? r.model.prediction, { zsnr: r.model.sampling?.zsnr ?? false });
  const lists = prepareConds([{ name: 'positive', entries: r.positive.entries }, { name: 'negative', entries: r.negative.entries }], {
    latentShape: shape,
    percentToSigma: (p) => modelSampling.percentToSigma(p),
    modelConds: modelCondsFor(unet, r.model, shape),
  });
  const denoiseMask = r.latent.noise_mask ? prepareDenoiseMask(r.latent.noise_mask, shape) : undefined;
  const out = await kSample({
    modelSampling,
    predict: condBatchPredictor({ modelSampling, model: unetCall(unet), lists, shape, fits: await unetRowsFit(unet) }),
    cfg: r.cfg,
    latent: processLatentIn(r.model.latent, r.latent.samples.data),
    shape,
    seed: r.seed,
    sampler: r.sampler,
    scheduler: r.scheduler,
    steps: r.steps,
    denoise: r.denoise,
    addNoise: r.addNoise,
    startStep: r.startStep,
    endStep: r.endStep,
    returnWithLeftoverNoise: r.returnWithLeftoverNoise,
    noise: r.addNoise === false ? undefined : prepareNoise(r.seed, shape, r.latent.batch_index),
    postCfg: cfgFunctionOf(r.model, r.cfg, shape),
    denoiseMask,
    signal: r.signal,
    callback: r.progress ? (step, total, denoised) => r.progress?.(step, total, previewImage(r.model, denoised, shape)) : undefined,
  });
  // ComfyUI returns a copy of the input latent dict with new samples (batch_index and noise_mask carry over)
  return { ...r.latent, samples: { shape: [...shape], data: processLatentOut(r.model.latent, out) } };
}

/** The model's sampler_cfg_function as a post-CFG hook (RescaleCFG). */
function cfgFunctionOf(model: ModelHandle, cfg: number, shape: readonly number[]): ((a: PostCfgArgs) => Float32Array) | undefined {
  const f = model.cfgFunction;
  if (!f) return undefined;
  return (a) => rescaleCfg({ ...a, cfg, multiplier: f.multiplier, shape });
}
