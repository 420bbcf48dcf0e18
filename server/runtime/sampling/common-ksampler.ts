/**
 * ComfyUI common_ksampler on handles: process_latent_in, seeded noise, the conditionings prepared (process_conds) and
 * batched per step (calc_cond_batch: [uncond, cond] in one UNet call for plain prompts), the LATENT's noise_mask
 * (KSamplerX0Inpaint), sampler + schedule, process_latent_out. LATENT values stay in VAE space outside this file.
 * Per entry, as ComfyUI's extra_conds: inpainting models' c_concat, unCLIP's ADM vector; GLIGEN boxes through the
 * CondExtras hook (a GLIGEN variant of the UNet graph per GLIGEN model, built only when a model call needs it).
 */
import type { ModelCache } from '../model-cache';
import type { ImageValue, LatentValue } from '../values';
import type { F32Tensor, UNetRunner } from '../models';
import { kSample, latentPreview, processLatentIn, processLatentOut, type SamplerName, type SchedulerName } from '.';
import type { CondEntry, CondGligen, Conditioning, GligenHandle, ModelHandle } from '../handles';
import { refinerVectorFor, sdxlVectorFor } from '../text/sdxl-size-cond';
import { unetFor, unetLoaded } from '../models/cached';
import { generateNoise, prepareNoise, type NoiseSpec } from './noise';
import { checkUnetFits, unetRowsFit } from '../memory/unet-fits';
import { prepareConds, type CondExtras, type ModelConds } from './conds';
import { condBatchPredictor, type UNetCall } from './cond-batch';
import { prepareDenoiseMask } from './inpaint';
import { rescaleCfg } from './rescale-cfg';
import { cfgDenoiser, type CondPredictor, type PostCfgArgs } from './cfg';
import { checkSigmaValues, needsUncond, sampleCustom, type SamplerSpec } from './custom-sample';
import { basicGuider, cfgGuider, dualCfgGuider, perpNegGuider } from './guider';
import type { GuiderConds, GuiderValue } from './guider-value';
import { modelSamplingOf } from './socket-values';
import { inpaintConcat } from './concat-cond';
import { unclipAdm, type UnclipEntry } from './unclip';
import { GLIGEN_MAX_OBJS, GLIGEN_POSITION_DIM, gligenRowInputs } from '../patches/gligen';
import { controlGraphOf, controlNetExtras } from '../controlnet/residuals';
import { controlMemory } from '../controlnet/memory';
import { controlToUncond } from '../controlnet/apply';
import { residentPlan } from './resident/plan';
import { residentReady, sampleResident } from './resident/sample';
import { kSampleSigmas } from './ksampler';

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

/** What extra_conds reads besides the entry (ComfyUI's process_conds kwargs): the start latent, denoise mask, seed. */
interface CondSource {
  /** the sampler's start latent, model space (process_latent_in applied) */
  latentImage: Float32Array;
  /** the latent's noise_mask prepared on the latent's shape */
  denoiseMask?: Float32Array;
  /** the sampler's seed (unCLIP's noise augmentation draws from seed − 10) */
  seed: bigint | number;
}

/**
 * The model's extra_conds for an entry: its cross-attention (width checked); the ADM `y` (SDXL base sizes or the
 * refiner's sizes + aesthetic score, whose default depends on the list the entry is on: ComfyUI's prompt_type; with
 * the pooled output or unCLIP's image embeddings); an inpainting model's c_concat from concat_latent_image / concat_mask.
 */
function modelCondsFor(
  unet: UNetRunner,
  model: ModelHandle,
  latentShape: readonly number[],
  source: CondSource,
): (e: CondEntry, label: string, list: string) => ModelConds {
  const { contextDim, admInChannels, inChannels } = unet.config;
  const channels = latentShape[1];
  const extra = inChannels - channels;
  // ComfyUI's inpaint concat_keys ("mask", "masked_image"); other extra-channel layouts are refused by the loaders
  if (extra !== 0 && extra !== 1 + channels) {
    throw new Error(`the model's UNet takes ${inChannels} input channels but the latent has ${channels}: a latent of another model family?`);
  }
  // entries of one InpaintModelConditioning share the tensors, so they share one c_concat (and batch together)
  const concats = new Map<unknown, Map<unknown, F32Tensor>>();
  const concatOf = (e: CondEntry, label: string): F32Tensor => {
    const byImage = concats.get(e.concatLatentImage) ?? new Map<unknown, F32Tensor>();
    concats.set(e.concatLatentImage, byImage);
    let c = byImage.get(e.concatMask);
    if (!c) {
      const data = inpaintConcat({
        shape: latentShape,
        family: model.latent,
        concatLatentImage: e.concatLatentImage,
        concatMask: e.concatMask,
        label,
        latentImage: source.latentImage,
        ...(source.denoiseMask ? { denoiseMask: { shape: [...latentShape], data: source.denoiseMask } } : {}),
      });
      c = { data, shape: [latentShape[0], extra, latentShape[2], latentShape[3]] };
      byImage.set(e.concatMask, c);
    }
    return c;
  };
  return (e, label, list) => {
    const s = e.cross.shape;
    if (s.length !== 3 || s[0] < 1 || s[1] < 1 || e.cross.data.length !== s[0] * s[1] * s[2]) {
      throw new Error(`${label}: conditioning tensor has shape [${s.join(', ')}], expected [batch, tokens, dim]`);
    }
    if (s[2] !== contextDim) {
      const pair = `${e.family}>${model.family}`;
      if (pair === 'sdxl>sdxl_refiner' || pair === 'sdxl_refiner>sdxl') {
        const [from, to] = pair === 'sdxl>sdxl_refiner' ? ['SDXL base', 'SDXL refiner'] : ['SDXL refiner', 'SDXL base'];
        throw new Error(
          `${label}: the conditioning was encoded with the ${from} CLIP (${s[2]} wide) but the model is the ${to} (takes ${contextDim}): encode this sampler's prompts with the ${to} checkpoint's CLIP`,
        );
      }
      throw new Error(
        `${label}: ${s[2]}-wide text conditioning (${e.family}), the model takes ${contextDim}: conditioning from another model family?`,
      );
    }
    // ComfyUI feeds concat_latent_image / concat_mask only to inpainting models (extra input channels), and ignores them otherwise
    const concat = extra !== 0 ? { concat: concatOf(e, label) } : {};
    if (admInChannels === undefined) return { cross: e.cross, ...concat };
    const unclip = e.unclipConditioning?.length ? e.unclipConditioning : undefined;
    if (model.family === 'sd2') {
      // SD2 unCLIP's encode_adm: the noised image embeddings, zeros for an entry without any
      const y = unclip ? unclipAdm(unclip, source.seed, admInChannels / 2) : new Float32Array(admInChannels);
      return { cross: e.cross, y: { data: y, shape: [1, admInChannels] }, ...concat };
    }
    if (model.family !== 'sdxl' && model.family !== 'sdxl_refiner') {
      throw new Error(`${label}: ${model.family} models take no pooled-text vector here (only SDXL base and refiner, and SD2 unCLIP are supported)`);
    }
    if (!e.pooled) throw new Error(`${label} has no pooled text output (${e.family}): an SDXL UNet needs one (encode the prompt with the SDXL CLIP)`);
    const entry = unclip ? { ...e, pooled: sdxlUnclipPooled(unclip, source.seed, e.pooled.shape[1], label) } : e;
    const refiner = model.family === 'sdxl_refiner';
    const y = refiner ? refinerVectorFor(entry, latentShape, list) : sdxlVectorFor(entry, latentShape);
    if (y.length !== admInChannels)
      throw new Error(`${label}: ${refiner ? 'SDXL refiner' : 'SDXL size'} vector of ${y.length} values, the model takes ${admInChannels}`);
    return { cross: e.cross, y: { data: y, shape: [1, y.length] }, ...concat };
  };
}

const SDXL_UNCLIP_DIM = 1280;

/**
 * ComfyUI's sdxl_pooled: on SDXL, unCLIPConditioning (Revision) replaces the pooled text output by the first 1280
 * values of unclip_adm (noise augmentor of width 1280, merge noise 0).
 */
function sdxlUnclipPooled(entries: readonly UnclipEntry[], seed: bigint | number, pooledWidth: number, label: string): F32Tensor {
  if (pooledWidth !== SDXL_UNCLIP_DIM)
    throw new Error(`${label}: unCLIP on SDXL replaces the ${SDXL_UNCLIP_DIM}-wide pooled output, but this model's is ${pooledWidth} wide`);
  return { data: unclipAdm(entries, seed, SDXL_UNCLIP_DIM, 0).slice(0, SDXL_UNCLIP_DIM), shape: [1, SDXL_UNCLIP_DIM] };
}

/**
 * The CondExtras of an entry with GLIGEN boxes (get_area_and_mult's gligen patch: set_position on the crop's size).
 * The key is the boxes' object, so the cond and the uncond that took its boxes share model calls.
 */
function gligenExtras(g: CondGligen): CondExtras {
  const bySize = new Map<string, ReturnType<typeof gligenRowInputs>>();
  return {
    key: g,
    stepInputs: ({ shape }) => {
      const [rows, , h, w] = shape;
      let one = bySize.get(`${h}x${w}`);
      if (!one) {
        one = gligenRowInputs(g.boxes, g.model.model.inDim, h, w);
        bySize.set(`${h}x${w}`, one);
      }
      const stack = (v: Float32Array, inner: number[]): F32Tensor => {
        const data = new Float32Array(rows * v.length);
        for (let r = 0; r < rows; r++) data.set(v, r * v.length);
        return { data, shape: [rows, ...inner] };
      };
      const feeds = {
        fourier: stack(one.fourier, [GLIGEN_MAX_OBJS, GLIGEN_POSITION_DIM]),
        masks: stack(one.masks, [GLIGEN_MAX_OBJS, 1]),
        embeddings: stack(one.embeddings, [GLIGEN_MAX_OBJS, g.model.model.inDim]),
      };
      return { gligen: { model: g.model, feeds } };
    },
  };
}

/** The UNet graphs of one sampling run: the plain one and a GLIGEN variant per GLIGEN model, each built on first use. */
type UNetGraphs = (gligen?: GligenHandle) => Promise<UNetRunner>;

function unetGraphs(models: ModelCache, model: ModelHandle): UNetGraphs {
  const built = new Map<string, Promise<UNetRunner>>();
  return (gligen) => {
    const k = gligen?.key ?? '';
    let u = built.get(k);
    if (!u) {
      u = unetFor(models, model, gligen);
      built.set(k, u);
    }
    return u;
  };
}

/**
 * `controlGraph`: the run has ControlNets, so every call goes through the UNet's control graph (zero residuals where a
 * ControlNet is outside its range, which adds nothing) and the plain graph's weights are never loaded beside it.
 */
/**
 * `controlGraph`: the run applies ControlNets ('control') or T2I-Adapters too ('input'), so every call takes that one
 * control graph (zero residuals where a call has none), never a second UNet session.
 */
function unetCall(graphs: UNetGraphs, controlGraph: false | 'control' | 'input'): UNetCall {
  return async (x, t, context, y, extras) => {
    const unknown = Object.keys(extras ?? {}).filter((k) => k !== 'concat' && k !== 'gligen' && k !== 'control');
    if (unknown.length > 0) throw new Error(`this UNet takes no ${unknown.join(', ')} inputs yet`);
    const unet = await graphs(extras?.gligen?.model);
    // BaseModel._apply_model: cat([x·c_in, c_concat], dim=1)
    const input = extras?.concat ? catChannels(x, extras.concat) : x;
    const timesteps = new Float32Array(x.shape[0]).fill(t);
    const given = extras?.control ?? (controlGraph ? { output: [], middle: [] } : undefined);
    const control = given && controlGraph === 'input' && !given.input ? { ...given, input: [] } : given;
    const gligen = extras?.gligen?.feeds;
    const runExtras = control || gligen ? { ...(control ? { control } : {}), ...(gligen ? { gligen } : {}) } : undefined;
    return (await unet.run(input, timesteps, context, y, runExtras)).data;
  };
}

/** One CondExtras for an entry with a ControlNet and GLIGEN boxes: one key per (control, gligen) pair, so batching still compares both. */
function combinedExtras(): (a: CondExtras | undefined, b: CondExtras | undefined) => CondExtras | undefined {
  const pairs = new Map<unknown, Map<unknown, object>>();
  return (a, b) => {
    if (!a || !b) return a ?? b;
    let inner = pairs.get(a.key);
    if (!inner) {
      inner = new Map();
      pairs.set(a.key, inner);
    }
    let key = inner.get(b.key);
    if (!key) {
      key = {};
      inner.set(b.key, key);
    }
    return { key, stepInputs: async (call) => ({ ...(await a.stepInputs(call)), ...(await b.stepInputs(call)) }) };
  };
}

/** [N, Ca, h, w] ‖ [N, Cb, h, w] along channels. */
function catChannels(a: F32Tensor, b: F32Tensor): F32Tensor {
  const [n, ca, h, w] = a.shape;
  const cb = b.shape[1];
  if (b.shape[0] !== n || b.shape[2] !== h || b.shape[3] !== w)
    throw new Error(`c_concat [${b.shape.join(', ')}] does not fit x [${a.shape.join(', ')}]`);
  const plane = h * w;
  const out = new Float32Array(n * (ca + cb) * plane);
  for (let r = 0; r < n; r++) {
    out.set(a.data.subarray(r * ca * plane, (r + 1) * ca * plane), r * (ca + cb) * plane);
    out.set(b.data.subarray(r * cb * plane, (r + 1) * cb * plane), (r * (ca + cb) + ca) * plane);
  }
  return { data: out, shape: [n, ca + cb, h, w] };
}

function previewImage(model: ModelHandle, denoised: Float32Array, shape: readonly number[]): ImageValue {
  const p = latentPreview(model.latent, denoised, shape);
  return { shape: [1, p.height, p.width, 3], data: Float32Array.from(p.rgb, (v) => v / 255) };
}

interface GuidanceSource {
  /** the sampler's start latent, model space */
  latentIn: Float32Array;
  denoiseMask?: Float32Array;
  seed: bigint | number;
  /** which prepared lists the predictor answers for, in its order (default: all, as given) */
  order?: readonly number[];
}

/**
 * The model's conditioning lists prepared for one latent shape (process_conds: extra_conds, GLIGEN extras) and their
 * per-step predictor (calc_cond_batch over the UNet graphs with the model's patches), shared by KSampler and guiders.
 */
async function guidance(models: ModelCache, model: ModelHandle, lists: readonly GuiderConds[], shape: readonly number[], src: GuidanceSource) {
  for (const c of lists) if (c.entries.length === 0) throw new Error(`${c.input} conditioning has no entries`);
  const graphs = unetGraphs(models, model);
  // a run where every entry has GLIGEN boxes never builds the plain graph (one UNet session held, not two)
  const firstGligen = lists.flatMap((l) => l.entries).find((e) => e.gligen)?.gligen?.model;
  const unet = await graphs(firstGligen);
  // the predictor splits a step's batch until it fits; one call of [uncond, cond] rows is what KSampler needs
  // ControlNets and T2I-Adapters load and run beside the UNet: their weights and residuals count too
  const control = controlMemory(
    models,
    lists.flatMap((l) => l.entries),
    unet,
    shape,
  );
  await checkUnetFits(unet, shape, Math.min(2, lists.length) * shape[0], control);
  const modelSampling = modelSamplingOf(model);
  // ControlNetApply's ControlNets reach the negative too (ComfyUI's apply_empty_x_to_equal_area for control)
  const positive = lists.find((l) => l.name === 'positive')?.entries ?? [];
  const withUncondControl = lists.map((l) => ({ name: l.name, entries: l.name === 'negative' ? controlToUncond(positive, l.entries) : l.entries }));
  const controlExtras = controlNetExtras({ models, unet, model, modelSampling });
  const combine = combinedExtras();
  const prepared = prepareConds(withUncondControl, {
    latentShape: shape,
    percentToSigma: (p) => modelSampling.percentToSigma(p),
    modelConds: modelCondsFor(unet, model, shape, { latentImage: src.latentIn, denoiseMask: src.denoiseMask, seed: src.seed }),
    extras: (e, label) => combine(controlExtras(e, label), e.gligen ? gligenExtras(e.gligen) : undefined),
  });
  const fits = await unetRowsFit(unet, control);
  const predict = condBatchPredictor({
    modelSampling,
    model: unetCall(graphs, controlGraphOf(withUncondControl.flatMap((l) => l.entries))),
    lists: src.order ? src.order.map((i) => prepared[i]) : prepared,
    shape,
    fits,
  });
  return { modelSampling, predict, unet, prepared, fits };
}

function checkLatent(latent: LatentValue): readonly number[] {
  const shape = latent.samples.shape;
  if (shape.length !== 4) throw new Error(`latent has shape [${shape.join(', ')}], expected [batch, channels, height, width]`);
  return shape;
}

function progressCallback(model: ModelHandle, shape: readonly number[], progress: SampleRequest['progress']) {
  return progress ? (step: number, total: number, denoised: Float32Array) => progress(step, total, previewImage(model, denoised, shape)) : undefined;
}

/**
 * The first build takes seconds (a cold one tens): say so on the node instead of a silent bar (GLIGEN runs build
 * their own graph variant, so only plain runs are announced).
 */
async function announceLoad(
  models: ModelCache,
  model: ModelHandle,
  lists: readonly { entries: readonly CondEntry[] }[],
  progress: SampleRequest['progress'],
) {
  // an empty list is refused by guidance() with its name, before any model work
  if (lists.some((l) => l.entries.length === 0)) return;
  if (unetLoaded(models, model) || lists.some((l) => l.entries.some((e) => e.gligen))) return;
  progress?.(0, 1, undefined, 'loading model');
  await unetFor(models, model);
  progress?.(1, 1, undefined, 'loading model');
}

export async function sampleLatent(models: ModelCache, r: SampleRequest): Promise<LatentValue> {
  const shape = checkLatent(r.latent);
  const latentIn = processLatentIn(r.model.latent, r.latent.samples.data);
  const denoiseMask = r.latent.noise_mask ? prepareDenoiseMask(r.latent.noise_mask, shape) : undefined;
  const lists = [
    { name: 'positive', input: 'positive', entries: r.positive.entries },
    { name: 'negative', input: 'negative', entries: r.negative.entries },
  ];
  await announceLoad(models, r.model, lists, r.progress);
  const { modelSampling, predict, unet, prepared, fits } = await guidance(models, r.model, lists, shape, { latentIn, denoiseMask, seed: r.seed });
  const postCfg = cfgFunctionOf(r.model, r.cfg, shape);
  const callback = progressCallback(r.model, shape, r.progress);
  const noise = r.addNoise === false ? undefined : prepareNoise(r.seed, shape, r.latent.batch_index);
  const plan = residentPlan({ unet, lists: prepared, shape, fits, sampler: r.sampler, cfg: r.cfg, denoiseMask, hasPostCfg: postCfg !== undefined });
  if (typeof plan !== 'string' && (await residentReady(unet.provider))) {
    const sigmas = kSampleSigmas(modelSampling, r);
    const { samples } = await sampleResident({
      unet,
      modelSampling,
      sampler: r.sampler,
      sigmas,
      latent: latentIn,
      noise: noise ?? new Float32Array(latentIn.length),
      seed: r.seed,
      shape,
      ...plan,
      cfg: r.cfg,
      callback,
      signal: r.signal,
    });
    return { ...r.latent, samples: { shape: [...shape], data: processLatentOut(r.model.latent, samples) } };
  }
  const out = await kSample({
    modelSampling,
    predict,
    cfg: r.cfg,
    latent: latentIn,
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
    noise,
    postCfg,
    denoiseMask,
    signal: r.signal,
    callback,
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
async function guiderDenoiser(models: ModelCache, g: GuiderValue, sampler: SamplerSpec, shape: readonly number[], src: GuidanceSource) {
  if (g.style === 'dual') {
    // ComfyUI's calc_cond_batch call takes [negative, middle, positive]
    const { modelSampling, predict } = await guidance(models, g.model, g.conds, shape, { ...src, order: [2, 1, 0] });
    const postCfg = cfgFunctionOf(g.model, g.nested ? g.cfgConds : g.cfgCond2Negative, shape);
    return {
      modelSampling,
      denoiser: dualCfgGuider({ predict, cfgConds: g.cfgConds, cfgCond2Negative: g.cfgCond2Negative, nested: g.nested, postCfg }),
    };
  }
  if (g.style === 'perpneg') {
    // ComfyUI's calc_cond_batch call takes [positive, negative, empty]
    const { modelSampling, predict } = await guidance(models, g.model, g.conds, shape, { ...src, order: [0, 2, 1] });
    return { modelSampling, denoiser: perpNegGuider({ predict, cfg: g.cfg, negScale: g.negScale }) };
  }
  const { modelSampling, predict, unet, prepared, fits } = await guidance(models, g.model, g.conds, shape, src);
  if (g.style === 'basic') {
    // no negative list: its prediction is zeros, as calc_cond_batch gives for a None cond
    const withZeros: CondPredictor = async (x, sigma, active) => [(await predict(x, sigma, active))[0], new Float32Array(x.length)];
    return { modelSampling, denoiser: basicGuider({ predict: withZeros, modelSampling, shape, postCfg: cfgFunctionOf(g.model, 1, shape) }) };
  }
  const postCfg = cfgFunctionOf(g.model, g.cfg, shape);
  const guide = { predict, modelSampling, shape, cfg: g.cfg, postCfg };
  // CFGGuider over [positive, negative]: a candidate for resident sampling, as KSampler
  const plan = residentPlan({
    unet,
    lists: prepared,
    shape,
    fits,
    sampler: sampler.name,
    samplerOptions: sampler.options,
    cfg: g.cfg,
    denoiseMask: src.denoiseMask,
    hasPostCfg: postCfg !== undefined,
  });
  return {
    modelSampling,
    denoiser: needsUncond(sampler) ? cfgGuider(guide) : cfgDenoiser(guide),
    ...(typeof plan !== 'string' ? { resident: { unet, plan, cfg: g.cfg } } : {}),
  };
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
  const latentIn = processLatentIn(model.latent, r.latent.samples.data);
  const denoiseMask = r.latent.noise_mask ? prepareDenoiseMask(r.latent.noise_mask, shape) : undefined;
  await announceLoad(models, model, r.guider.conds, r.progress);
  const guided = await guiderDenoiser(models, r.guider, r.sampler, shape, { latentIn, denoiseMask, seed: r.seed });
  const { modelSampling, denoiser } = guided;
  const noise = generateNoise(r.noise, shape, r.latent.batch_index);
  const latentOf = (data: Float32Array): LatentValue => ({ ...r.latent, samples: { shape: [...shape], data: processLatentOut(model.latent, data) } });
  if (guided.resident && (await residentReady(guided.resident.unet.provider))) {
    checkSigmaValues(r.sigmas);
    const res = await sampleResident({
      unet: guided.resident.unet,
      modelSampling,
      sampler: r.sampler.name,
      ...(r.sampler.options ? { samplerOptions: r.sampler.options } : {}),
      sigmas: r.sigmas,
      latent: latentIn,
      noise,
      seed: r.seed,
      shape,
      ...guided.resident.plan,
      cfg: guided.resident.cfg,
      callback: progressCallback(model, shape, r.progress),
      signal: r.signal,
    });
    return { output: latentOf(res.samples), denoised: latentOf(res.denoised) };
  }
  const res = await sampleCustom({
    modelSampling,
    denoiser,
    sampler: r.sampler,
    sigmas: r.sigmas,
    latent: latentIn,
    shape,
    noise,
    seed: r.seed,
    denoiseMask,
    signal: r.signal,
    callback: progressCallback(model, shape, r.progress),
  });
  return { output: latentOf(res.samples), denoised: latentOf(res.denoised) };
}

/** The model's sampler_cfg_function as a post-CFG hook (RescaleCFG). */
function cfgFunctionOf(model: ModelHandle, cfg: number, shape: readonly number[]): ((a: PostCfgArgs) => Float32Array) | undefined {
  const f = model.cfgFunction;
  if (!f) return undefined;
  return (a) => rescaleCfg({ ...a, cfg, multiplier: f.multiplier, shape });
}
