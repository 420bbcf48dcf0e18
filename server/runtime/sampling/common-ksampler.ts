/**
 * ComfyUI common_ksampler on handles: process_latent_in, seeded noise, the conditionings prepared (process_conds) and
 * batched per step (calc_cond_batch: [uncond, cond] in one UNet call for plain prompts), the LATENT's noise_mask
 * (KSamplerX0Inpaint), sampler + schedule, process_latent_out. LATENT values stay in VAE space outside this file.
 */
import type { ModelCache } from '../model-cache';
import type { ImageValue, LatentValue } from '../values';
import type { UNetRunner } from '../models';
import { kSample, latentPreview, processLatentIn, processLatentOut, type SamplerName, type SchedulerName } from '.';
import type { CondEntry, Conditioning, ModelHandle } from '../handles';
import { sdxlVectorFor } from '../text/sdxl-size-cond';
import { unetFor } from '../models/cached';
import { generateNoise, prepareNoise, type NoiseSpec } from './noise';
import { checkUnetFits, unetRowsFit } from '../memory/unet-fits';
import { prepareConds, type ModelConds } from './conds';
import { condBatchPredictor, type UNetCall } from './cond-batch';
import { prepareDenoiseMask } from './inpaint';
import { rescaleCfg } from './rescale-cfg';
import { cfgDenoiser, type CondPredictor, type PostCfgArgs } from './cfg';
import { needsUncond, sampleCustom, type SamplerSpec } from './custom-sample';
import { basicGuider, cfgGuider, dualCfgGuider, perpNegGuider } from './guider';
import type { GuiderConds, GuiderValue } from './guider-value';
import { modelSamplingOf } from './socket-values';

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
  progress?: (step: number, total: number, preview?: ImageValue) => void;
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
      throw new Error(
        `${label}: ${s[2]}-wide text conditioning (${e.family}), the model takes ${contextDim}: conditioning from another model family?`,
      );
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

/**
 * The model's conditioning lists prepared for one latent shape (process_conds) and their per-step predictor
 * (calc_cond_batch over the UNet with its patches); `order` picks and orders the lists the predictor answers for.
 */
async function guidance(models: ModelCache, model: ModelHandle, lists: readonly GuiderConds[], shape: readonly number[], order?: readonly number[]) {
  for (const c of lists) if (c.entries.length === 0) throw new Error(`${c.input} conditioning has no entries`);
  const unet = await unetFor(models, model);
  // the predictor splits a step's batch until it fits; one call of [uncond, cond] rows is what KSampler needs
  await checkUnetFits(unet, shape, Math.min(2, lists.length) * shape[0]);
  const modelSampling = modelSamplingOf(model);
  const prepared = prepareConds(lists, {
    latentShape: shape,
    percentToSigma: (p) => modelSampling.percentToSigma(p),
    modelConds: modelCondsFor(unet, model, shape),
  });
  const predict = condBatchPredictor({
    modelSampling,
    model: unetCall(unet),
    lists: order ? order.map((i) => prepared[i]) : prepared,
    shape,
    fits: await unetRowsFit(unet),
  });
  return { modelSampling, predict };
}

function checkLatent(latent: LatentValue): readonly number[] {
  const shape = latent.samples.shape;
  if (shape.length !== 4) throw new Error(`latent has shape [${shape.join(', ')}], expected [batch, channels, height, width]`);
  return shape;
}

function progressCallback(model: ModelHandle, shape: readonly number[], progress: SampleRequest['progress']) {
  return progress ? (step: number, total: number, denoised: Float32Array) => progress(step, total, previewImage(model, denoised, shape)) : undefined;
}

export async function sampleLatent(models: ModelCache, r: SampleRequest): Promise<LatentValue> {
  const shape = checkLatent(r.latent);
  const { modelSampling, predict } = await guidance(
    models,
    r.model,
    [
      { name: 'positive', input: 'positive', entries: r.positive.entries },
      { name: 'negative', input: 'negative', entries: r.negative.entries },
    ],
    shape,
  );
  const denoiseMask = r.latent.noise_mask ? prepareDenoiseMask(r.latent.noise_mask, shape) : undefined;
  const out = await kSample({
    modelSampling,
    predict,
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
    callback: progressCallback(r.model, shape, r.progress),
  });
  // ComfyUI returns a copy of the input latent dict with new samples (batch_index and noise_mask carry over)
  return { ...r.latent, samples: { shape: [...shape], data: processLatentOut(r.model.latent, out) } };
}

export interface GuidedSampleRequest {
  guider: GuiderValue;
  sampler: SamplerSpec;
  sigmas: Float32Array;
  noise: NoiseSpec;
  /** the sampler's own noise seed (ComfyUI: noise.seed, or SamplerCustom's noise_seed even without add_noise) */
  seed: bigint | number;
  latent: LatentValue;
  signal: AbortSignal;
  progress?: SampleRequest['progress'];
}

/** The GUIDER's denoiser over its prepared conditionings (CFG++ samplers get the uncond-reporting form). */
async function guiderDenoiser(models: ModelCache, g: GuiderValue, sampler: SamplerSpec, shape: readonly number[]) {
  if (g.style === 'dual') {
    // ComfyUI's calc_cond_batch call takes [negative, middle, positive]
    const { modelSampling, predict } = await guidance(models, g.model, g.conds, shape, [2, 1, 0]);
    const postCfg = cfgFunctionOf(g.model, g.nested ? g.cfgConds : g.cfgCond2Negative, shape);
    return {
      modelSampling,
      denoiser: dualCfgGuider({ predict, cfgConds: g.cfgConds, cfgCond2Negative: g.cfgCond2Negative, nested: g.nested, postCfg }),
    };
  }
  if (g.style === 'perpneg') {
    // ComfyUI's calc_cond_batch call takes [positive, negative, empty]
    const { modelSampling, predict } = await guidance(models, g.model, g.conds, shape, [0, 2, 1]);
    return { modelSampling, denoiser: perpNegGuider({ predict, cfg: g.cfg, negScale: g.negScale }) };
  }
  const { modelSampling, predict } = await guidance(models, g.model, g.conds, shape);
  if (g.style === 'basic') {
    // no negative list: its prediction is zeros, as calc_cond_batch gives for a None cond
    const withZeros: CondPredictor = async (x, sigma, active) => [(await predict(x, sigma, active))[0], new Float32Array(x.length)];
    return { modelSampling, denoiser: basicGuider({ predict: withZeros, modelSampling, shape, postCfg: cfgFunctionOf(g.model, 1, shape) }) };
  }
  const guide = { predict, modelSampling, shape, cfg: g.cfg, postCfg: cfgFunctionOf(g.model, g.cfg, shape) };
  return { modelSampling, denoiser: needsUncond(sampler) ? cfgGuider(guide) : cfgDenoiser(guide) };
}

/**
 * ComfyUI's guider.sample as SamplerCustom / SamplerCustomAdvanced run it: the NOISE for the latent (batch_index
 * honoured), process_latent_in, sampling over the SIGMAS with the noise_mask, process_latent_out. `denoised` is the
 * last step's x0 (ComfyUI's x0_output), the output itself when no step ran; empty sigmas return the latent unchanged.
 */
export async function sampleGuided(models: ModelCache, r: GuidedSampleRequest): Promise<{ output: LatentValue; denoised: LatentValue }> {
  const shape = checkLatent(r.latent);
  if (r.sigmas.length === 0) return { output: { ...r.latent }, denoised: { ...r.latent } };
  const model = r.guider.model;
  const { modelSampling, denoiser } = await guiderDenoiser(models, r.guider, r.sampler, shape);
  const res = await sampleCustom({
    modelSampling,
    denoiser,
    sampler: r.sampler,
    sigmas: r.sigmas,
    latent: processLatentIn(model.latent, r.latent.samples.data),
    shape,
    noise: generateNoise(r.noise, shape, r.latent.batch_index),
    seed: r.seed,
    denoiseMask: r.latent.noise_mask ? prepareDenoiseMask(r.latent.noise_mask, shape) : undefined,
    signal: r.signal,
    callback: progressCallback(model, shape, r.progress),
  });
  const latentOf = (data: Float32Array): LatentValue => ({ ...r.latent, samples: { shape: [...shape], data: processLatentOut(model.latent, data) } });
  return { output: latentOf(res.samples), denoised: latentOf(res.denoised) };
}

/** The model's sampler_cfg_function as a post-CFG hook (RescaleCFG). */
function cfgFunctionOf(model: ModelHandle, cfg: number, shape: readonly number[]): ((a: PostCfgArgs) => Float32Array) | undefined {
  const f = model.cfgFunction;
  if (!f) return undefined;
  return (a) => rescaleCfg({ ...a, cfg, multiplier: f.multiplier, shape });
}
