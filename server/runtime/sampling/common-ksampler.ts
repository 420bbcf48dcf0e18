/**
 * ComfyUI common_ksampler on handles: process_latent_in, seeded noise, CFG with [uncond, cond] in one
 * UNet call, sampler + schedule, process_latent_out. LATENT values stay in VAE space outside this file.
 */
import type { ModelCache } from '../model-cache';
import type { FloatTensor, ImageValue, LatentValue } from '../values';
import type { F32Tensor, GligenFeeds, UNetRunner } from '../models';
import {
  kSample, latentPreview, ModelSamplingDiscrete, processLatentIn, processLatentOut,
  type ModelApply, type SamplerName, type SchedulerName,
} from '.';
import type { Conditioning, ModelHandle } from '../handles';
import { sdxlVectorFor } from '../text/sdxl-size-cond';
import { unetFor } from '../models/cached';
import { prepareNoise } from './noise';
import { checkUnetFits } from '../memory/unet-fits';
import { rescaleCfg } from './rescale-cfg';
import type { PostCfgArgs } from './cfg';
import { inpaintConcat } from './concat-cond';
import { prepareDenoiseMask } from './denoise-mask';
import { unclipAdm, type UnclipEntry } from './unclip';
import { GLIGEN_MAX_OBJS, GLIGEN_POSITION_DIM, gligenRowInputs, type GligenRowInputs } from '../patches/gligen';

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

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** ComfyUI CONDCrossAttn.can_concat: lengths batch together when their lcm is ≤ 4× the shorter. */
function concatLength(lengths: readonly number[]): number | null {
  let l = lengths[0];
  for (const n of lengths) l = (l * n) / gcd(l, n);
  return l / Math.min(...lengths) > 4 ? null : l;
}

/** Rows' contexts stacked to one length by repetition (attention over repeated keys is unchanged). */
function stackContexts(conds: readonly Conditioning[], length: number): Float32Array {
  const dim = conds[0].context.shape[2];
  const out = new Float32Array(conds.length * length * dim);
  conds.forEach((c, b) => {
    const src = c.context.data;
    for (let off = 0; off < length * dim; off += src.length) out.set(src.subarray(0, Math.min(src.length, length * dim - off)), b * length * dim + off);
  });
  return out;
}

/** What model calls need besides the conditioning: the sampler's latent (model space) and noise mask (inpainting UNets), its seed (unCLIP). */
interface ConcatSource {
  latentImage: Float32Array;
  denoiseMask?: FloatTensor;
  /** the sampler's seed (unCLIP's noise augmentation draws from seed − 10) */
  seed: bigint | number;
}

/** Rows grouped by the UNet graph they need: the plain one, or one GLIGEN variant per GLIGEN model. */
const graphOf = (c: Conditioning): string => c.gligen?.model.key ?? '';

/** The UNet graphs a sampling run uses: the plain one (absent when every row has GLIGEN) and one per GLIGEN model. */
interface UNetGraphs {
  plain?: UNetRunner;
  gligen: ReadonlyMap<string, UNetRunner>;
}

function modelApply(unet: UNetRunner, graphs: UNetGraphs, model: ModelHandle, latentShape: readonly number[], source: ConcatSource): ModelApply<Conditioning> {
  const needsY = unet.config.admInChannels !== undefined;
  const [batch, channels, h, w] = latentShape;
  const extra = unet.config.inChannels - channels;
  // ComfyUI's inpaint concat_keys ("mask", "masked_image"); other extra-channel layouts are refused by the loaders
  if (extra !== 0 && extra !== 1 + channels) {
    throw new Error(`the model's UNet takes ${unet.config.inChannels} input channels but the latent has ${channels}: a latent of another model family?`);
  }
  // SD2 unCLIP: encode_adm gives the noised image embeddings, zeros for a conditioning without any
  const adms = new Map<Conditioning, Float32Array>();
  const unclipVectorOf = (c: Conditioning): Float32Array => {
    const adm = unet.config.admInChannels ?? 0;
    let v = adms.get(c);
    if (!v) {
      v = c.unclip?.length ? unclipAdm(c.unclip, source.seed, adm / 2) : new Float32Array(adm);
      adms.set(c, v);
    }
    return v;
  };
  const concats = new Map<Conditioning, Float32Array>();
  const concatOf = (c: Conditioning): Float32Array => {
    let v = concats.get(c);
    if (!v) {
      v = inpaintConcat({ shape: latentShape, family: model.latent, concat: c.concat, ...source });
      concats.set(c, v);
    }
    return v;
  };
  /** BaseModel._apply_model: cat([x·c_in, c_concat], dim=1); row r is latent batch index r mod B */
  const withConcat = (x: Float32Array, conds: readonly Conditioning[]): Float32Array => {
    const plane = h * w;
    const xc = new Float32Array(conds.length * (channels + extra) * plane);
    conds.forEach((c, r) => {
      const b = r % batch;
      xc.set(x.subarray(r * channels * plane, (r + 1) * channels * plane), r * (channels + extra) * plane);
      xc.set(concatOf(c).subarray(b * extra * plane, (b + 1) * extra * plane), (r * (channels + extra) + channels) * plane);
    });
    return xc;
  };
  const run = async (x: Float32Array, shape: readonly number[], t: number, conds: readonly Conditioning[]): Promise<Float32Array> => {
    const length = concatLength(conds.map((c) => c.context.shape[1]));
    const kinds = new Set(conds.map(graphOf));
    if (length === null || kinds.size > 1) {
      // too different to batch (ComfyUI runs them separately too)
      const per = x.length / conds.length;
      const outs: Float32Array[] = [];
      for (let b = 0; b < conds.length; b++) outs.push(await run(x.slice(b * per, (b + 1) * per), [1, ...shape.slice(1)], t, [conds[b]]));
      const out = new Float32Array(outs.reduce((n, o) => n + o.length, 0));
      let off = 0;
      for (const o of outs) {
        out.set(o, off);
        off += o.length;
      }
      return out;
    }
    const dim = conds[0].context.shape[2];
    let y: Float32Array | undefined;
    if (needsY) {
      const rows = conds.map((c) => {
        if (model.family === 'sd2') return unclipVectorOf(c);
        if (!c.pooled) throw new Error(`the ${model.family} model needs pooled text output (an SDXL text encoder's conditioning)`);
        return sdxlVectorFor(c.unclip?.length ? { ...c, pooled: sdxlUnclipPooled(c.unclip, source.seed, c.pooled.shape[1]) } : c, latentShape);
      });
      y = new Float32Array(rows.length * rows[0].length);
      rows.forEach((r, i) => y!.set(r, i * r.length));
    }
    const gligen = conds[0].gligen;
    const runner = gligen ? graphs.gligen.get(gligen.model.key) : graphs.plain;
    if (!runner) throw new Error(`no UNet graph was prepared for ${gligen ? `the GLIGEN model ${gligen.model.key}` : 'rows without GLIGEN'}`);
    const out = await runner.run(
      { data: x, shape: [...shape] },
      new Float32Array(conds.length).fill(t),
      { data: stackContexts(conds, length), shape: [conds.length, length, dim] },
      y ? { data: y, shape: [conds.length, y.length / conds.length] } : undefined,
      gligen ? gligenFeeds(conds, h, w) : undefined,
    );
    return out.data;
  };
  if (extra === 0) return run;
  return (x, shape, t, conds) => run(withConcat(x, conds), [shape[0], channels + extra, ...shape.slice(2)], t, conds);
}

/**
 * ComfyUI's sdxl_pooled: on SDXL, unCLIPConditioning (Revision) replaces the pooled text output by the first 1280
 * values of unclip_adm (noise augmentor of width 1280, merge noise 0).
 */
function sdxlUnclipPooled(entries: readonly UnclipEntry[], seed: bigint | number, pooledWidth: number): F32Tensor {
  if (pooledWidth !== SDXL_UNCLIP_DIM) throw new Error(`unCLIP on SDXL replaces the ${SDXL_UNCLIP_DIM}-wide pooled output, but this model's is ${pooledWidth} wide`);
  return { data: unclipAdm(entries, seed, SDXL_UNCLIP_DIM, 0).slice(0, SDXL_UNCLIP_DIM), shape: [1, SDXL_UNCLIP_DIM] };
}
const SDXL_UNCLIP_DIM = 1280;

/** Each row's PositionNet inputs (ComfyUI's Gligen.set_position on the latent's size), stacked. */
function gligenFeeds(conds: readonly Conditioning[], h: number, w: number): GligenFeeds {
  const rows = conds.map((c) => {
    if (!c.gligen) throw new Error('a conditioning without GLIGEN boxes in a GLIGEN batch');
    return gligenRowInputs(c.gligen.boxes, c.gligen.model.model.inDim, h, w);
  });
  const stack = (pick: (r: GligenRowInputs) => Float32Array, inner: number[]) => {
    const per = pick(rows[0]).length;
    const data = new Float32Array(rows.length * per);
    rows.forEach((r, i) => data.set(pick(r), i * per));
    return { data, shape: [rows.length, ...inner] };
  };
  const inDim = conds[0].gligen?.model.model.inDim ?? 0;
  return {
    fourier: stack((r) => r.fourier, [GLIGEN_MAX_OBJS, GLIGEN_POSITION_DIM]),
    masks: stack((r) => r.masks, [GLIGEN_MAX_OBJS, 1]),
    embeddings: stack((r) => r.embeddings, [GLIGEN_MAX_OBJS, inDim]),
  };
}

function previewImage(model: ModelHandle, denoised: Float32Array, shape: readonly number[]): ImageValue {
  const p = latentPreview(model.latent, denoised, shape);
  return { shape: [1, p.height, p.width, 3], data: Float32Array.from(p.rgb, (v) => v / 255) };
}

function checkConditioning(c: Conditioning, input: string): void {
  const s = c.context.shape;
  if (s.length !== 3 || s[0] !== 1 || s[1] === 0) throw new Error(`${input}: conditioning context has shape [${s.join(', ')}], expected [1, tokens, dim]`);
}

export async function sampleLatent(models: ModelCache, r: SampleRequest): Promise<LatentValue> {
  const shape = r.latent.samples.shape;
  if (shape.length !== 4) throw new Error(`latent has shape [${shape.join(', ')}], expected [batch, channels, height, width]`);
  checkConditioning(r.positive, 'positive');
  checkConditioning(r.negative, 'negative');
  // ComfyUI's apply_empty_x_to_equal_area for 'gligen': an uncond without GLIGEN takes the cond's boxes
  const negative = r.positive.gligen && !r.negative.gligen ? { ...r.negative, gligen: r.positive.gligen } : r.negative;
  // only the graphs the rows use are built: with GLIGEN on both rows one UNet session is held, not two
  const gligenUnets = new Map<string, UNetRunner>();
  for (const c of [r.positive, negative]) {
    if (c.gligen && !gligenUnets.has(c.gligen.model.key)) gligenUnets.set(c.gligen.model.key, await unetFor(models, r.model, c.gligen.model));
  }
  const plain = !r.positive.gligen || !negative.gligen ? await unetFor(models, r.model) : undefined;
  const unet = plain ?? [...gligenUnets.values()][0];
  await checkUnetFits(unet, shape, 2 * shape[0]);
  if (unet.config.contextDim !== r.positive.context.shape[2] || unet.config.contextDim !== r.negative.context.shape[2]) {
    throw new Error(
      `the model takes ${unet.config.contextDim}-wide text conditioning but got ${r.positive.context.shape[2]} (positive) / ${r.negative.context.shape[2]} (negative): conditioning from another model family?`,
    );
  }
  const latentIn = processLatentIn(r.model.latent, r.latent.samples.data);
  const denoiseMask = r.latent.noise_mask ? prepareDenoiseMask(r.latent.noise_mask, shape) : undefined;
  const modelSampling = new ModelSamplingDiscrete(r.model.sampling?.type ?? r.model.prediction, { zsnr: r.model.sampling?.zsnr ?? false });
  const out = await kSample<Conditioning>({
    modelSampling,
    model: modelApply(unet, { plain, gligen: gligenUnets }, r.model, shape, { latentImage: latentIn, denoiseMask, seed: r.seed }),
    cond: r.positive,
    uncond: negative,
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
    noise: r.addNoise === false ? undefined : prepareNoise(r.seed, shape, r.latent.batch_index),
    denoiseMask: denoiseMask?.data,
    postCfg: cfgFunctionOf(r.model, r.cfg, shape),
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
