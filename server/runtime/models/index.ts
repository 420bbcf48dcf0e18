import { createHash } from 'node:crypto';
import ort from 'onnxruntime-node';
import type { WeightProvider } from '../checkpoint/weights';
import { deriveClipConfig, type ClipConfig } from '../checkpoint/arch/clip';
import { deriveUNetConfig, type UNetConfig } from '../checkpoint/arch/unet';
import { deriveVaeConfig, type VaeConfig } from '../checkpoint/arch/vae';
import type { FloatType, Graph } from '../onnx/builder';
import type { AttentionKernel } from '../onnx/nn';
import { createSession, resolveDevice, SessionClosedError, type DeviceChoice, type Provider } from '../onnx/session';
import { sessionCache } from '../onnx/session-cache';
import { OptimizedModelStore } from '../onnx/optimized-models';
import { bytesOfUse, WeightCache } from '../onnx/weights-cache';
import { numel } from '../io/tensor';
import { buildClip, clipHidden, clipNormed } from './clip';
import { buildUNet, type FreeUPatch } from './unet';
import { buildVaeDecoder, buildVaeEncoder } from './vae';
import { buildClipVision, deriveClipVisionConfig, type ClipVisionConfig } from './clip-vision';
import type { Hypernetwork } from '../patches/hypernetwork';
import type { GligenModel } from '../patches/gligen';
import { withPrefixedWeights } from '../patches/combined-weights';
import { cropForEncode } from './vae-crop';
import { buildStyleAdapter, deriveStyleAdapterConfig, type StyleAdapterConfig } from './style-adapter';
import { buildT2IAdapter } from './t2i-adapter';
import type { T2IAdapterConfig } from '../controlnet/t2i-config';
import { buildControlNet } from './controlnet';
import { deriveControlNetConfig, type ControlNetConfig } from '../checkpoint/arch/controlnet';

/** A dense fp32 tensor crossing the runtime boundary. */
export interface F32Tensor {
  data: Float32Array;
  shape: number[];
}

export interface RuntimeOptions {
  device?: DeviceChoice;
  /** where materialised weights go; default WeightCache's */
  cache?: WeightCache;
  intraOpThreads?: number;
  log?: (line: string) => void;
  /**
   * UNet attention kernel (see Layers); default LOOM_ATTENTION, else 'fused' MultiHeadAttention on every
   * provider (on CPU it never holds the score matrices: 3.8 vs 7.7 GB peak and ~15 % faster at 512x512).
   */
  attention?: AttentionKernel;
  /** compute type; default from the provider (see precisionFor) */
  precision?: FloatType;
}

export type ModelKind = 'unet' | 'clip' | 'vae';

/** Above this many parameters a UNet runs fp16 on WebGPU too: SDXL's 2.6 B are 10 GB in fp32, more than most cards hold. */
export const WEBGPU_FP32_MAX_PARAMS = 1.5e9;

/**
 * Compute type of a model on a provider. fp32 on CPU (no fast fp16 kernels there) and for the VAE everywhere
 * (the SDXL VAE overflows fp16 and a VAE file does not say which family it is). CUDA: fp16 UNet and text encoder.
 * WebGPU: fp32 up to WEBGPU_FP32_MAX_PARAMS (SD1/SD2 UNets, every text encoder), fp16 above (SDXL's UNet): on an
 * H200, onnxruntime 1.30's WebGPU fp16 SD1.5 UNet was only 11 % faster than fp32 (0.118 vs 0.132 s per 512x512 CFG
 * step) but 2000x further from the CPU fp32 result (relative 2.7e-2 vs 1.3e-5; fp32 norms or attention did not
 * narrow it), see docs/benchmarks.md. LOOM_PRECISION (UNet, text encoder) and LOOM_VAE_PRECISION override with
 * fp32|fp16. `params`: the model's parameter count (default: small).
 */
export function precisionFor(provider: Provider, kind: ModelKind, explicit?: FloatType, params = 0): FloatType {
  if (explicit) return explicit;
  const env = kind === 'vae' ? process.env.LOOM_VAE_PRECISION : process.env.LOOM_PRECISION;
  if (env) {
    if (env !== 'fp32' && env !== 'fp16')
      throw new Error(`${kind === 'vae' ? 'LOOM_VAE_PRECISION' : 'LOOM_PRECISION'}=${env}: expected fp32 or fp16`);
    return env === 'fp16' ? 'float16' : 'float32';
  }
  if (provider === 'cpu' || kind === 'vae') return 'float32';
  if (provider === 'webgpu') return params > WEBGPU_FP32_MAX_PARAMS ? 'float16' : 'float32';
  return 'float16';
}

/** Parameters a provider holds (every tensor it names). */
export function parameterCount(weights: WeightProvider): number {
  return weights.names().reduce((n, k) => n + numel(weights.info(k).shape), 0);
}

/** A model's session as its runners hold it: fetched from the session cache per run, so eviction never strands them. */
export interface SessionRef {
  /** the provider its sessions run on */
  readonly provider: Provider;
  run(feeds: Record<string, ort.Tensor>, fetches: readonly string[]): Promise<Record<string, ort.Tensor>>;
  /** outputs left where the session keeps them (GPU buffers on WebGPU with outputsOnDevice), see LoomSession */
  runOnDevice(feeds: Record<string, ort.Tensor>, fetches: readonly string[]): Promise<Record<string, ort.Tensor>>;
  /** lets go of the session's weights now (a later run builds it again) */
  release(): Promise<void>;
}

export async function sessionFor(
  kind: string,
  config: unknown,
  build: (float: FloatType) => Graph,
  weights: WeightProvider,
  opts: RuntimeOptions & { outputsOnDevice?: boolean },
): Promise<SessionRef> {
  const device = await resolveDevice(opts.device, opts.log);
  const float = precisionFor(device, kind.startsWith('vae') ? 'vae' : (kind as ModelKind), opts.precision, parameterCount(weights));
  // building the graph is cheap and strict-checks the weights; binding is what the cache saves
  const graph = build(float);
  const uses = graph.weights();
  const weightsId = createHash('sha256')
    .update(uses.map((u) => `${weights.identity(u.key)}|${u.transform}`).join('\n'))
    .digest('hex');
  const key = `${kind}|${JSON.stringify(config)}|${float}|${weightsId}|${device}`;
  const bytes = uses.reduce((n, u) => n + bytesOfUse(u), 0);
  const create = async () => {
    // names first: a saved optimised model (CPU) needs none of the materialised files, so they are written only
    // when onnxruntime will read them
    const cache = opts.cache ?? new WeightCache();
    const plan = await cache.plan(uses, weights, kind);
    const store = device === 'cpu' && saveOptimized() ? new OptimizedModelStore(plan.folder, opts.log) : undefined;
    return createSession(graph.toModelProto(plan.locations), plan.folder, {
      label: kind,
      device,
      ...(opts.intraOpThreads ? { intraOpThreads: opts.intraOpThreads } : {}),
      ...(opts.log ? { log: opts.log } : {}),
      ...(store ? { optimizedStore: store } : {}),
      ...(opts.outputsOnDevice ? { outputsOnDevice: true } : {}),
      prepare: () => cache.complete(plan, weights),
    });
  };
  const session = () => sessionCache.get(key, create, bytes);
  await session(); // errors (bad weights, provider) surface here, not at the first run
  const runWith = async (host: boolean, feeds: Record<string, ort.Tensor>, fetches: readonly string[]) => {
    const once = async () => {
      const s = await session();
      return host ? s.run(feeds, fetches) : s.runOnDevice(feeds, fetches);
    };
    try {
      return await once();
    } catch (e) {
      // evicted between fetch and run: the cache has let go of it, so this fetch builds it again
      if (e instanceof SessionClosedError) return once();
      throw e;
    }
  };
  return {
    provider: device,
    release: () => sessionCache.release(key),
    run: (feeds, fetches) => runWith(true, feeds, fetches),
    runOnDevice: (feeds, fetches) => runWith(false, feeds, fetches),
  };
}

const f32 = (t: F32Tensor) => new ort.Tensor('float32', t.data, t.shape);
const toF32 = (t: ort.Tensor): F32Tensor => ({ data: t.data as Float32Array, shape: [...t.dims] });

export interface EncodeOptions {
  /** ComfyUI CLIPSetLastLayer: -1 = last layer, -2 = penultimate, … */
  layer?: number;
  /** apply the final LayerNorm to the chosen layer (SD1/SD2 do; SDXL's penultimate does not) */
  finalNorm?: boolean;
  /** textual-inversion rows [E × width]: id −1−k in `ids` takes row k */
  extras?: Float32Array;
  /**
   * also return `eosPooled` [B, width]: the last layer through the final LayerNorm at the first EOS token, unprojected
   * (ComfyUI's pooled_output for SD1, whose checkpoints have no text_projection)
   */
  eosPooled?: boolean;
}

/** LOOM_SAVE_OPTIMIZED=0 turns off saving onnxruntime's optimised CPU models in the weight cache */
function saveOptimized(): boolean {
  return process.env.LOOM_SAVE_OPTIMIZED !== '0';
}

/**
 * LOOM_RESIDENT_SAMPLING: 'auto' (default) keeps KSampler's latents on the GPU and runs its per-step arithmetic as
 * small ONNX graphs on GPU providers; 'on' does so on CPU too (same graphs, for tests and benches); 'off' never.
 */
export function residentSampling(value = process.env.LOOM_RESIDENT_SAMPLING): 'auto' | 'on' | 'off' {
  const v = (value ?? 'auto').toLowerCase();
  if (v === '1' || v === 'on' || v === 'true') return 'on';
  if (v === '0' || v === 'off' || v === 'false') return 'off';
  if (v === 'auto') return 'auto';
  throw new Error(`LOOM_RESIDENT_SAMPLING=${value}: expected auto, on or off`);
}

function defaultAttention(): AttentionKernel {
  const env = process.env.LOOM_ATTENTION;
  if (env === 'standard' || env === 'fused') return env;
  return 'fused';
}

export interface TextEncoder {
  readonly config: ClipConfig;
  /** ids int32 [B * positions] → hidden [B, positions, width] (+ pooled [B, projection] when the tower has one) */
  encode(ids: Int32Array, opts?: EncodeOptions): Promise<{ hidden: F32Tensor; pooled?: F32Tensor; eosPooled?: F32Tensor }>;
}

/** Row of each sequence at its first largest id (the EOS: CLIP's end token is the vocabulary's last id). */
function rowsAtEos(states: F32Tensor, ids: Int32Array): F32Tensor {
  const [batch, positions, width] = states.shape;
  const out = new Float32Array(batch * width);
  for (let b = 0; b < batch; b++) {
    let eos = 0;
    for (let p = 1; p < positions; p++) if (ids[b * positions + p] > ids[b * positions + eos]) eos = p;
    out.set(states.data.subarray((b * positions + eos) * width, (b * positions + eos + 1) * width), b * width);
  }
  return { data: out, shape: [batch, width] };
}

export async function createTextEncoder(weights: WeightProvider, opts: RuntimeOptions & { config?: ClipConfig } = {}): Promise<TextEncoder> {
  const config = opts.config ?? deriveClipConfig(weights);
  const session = await sessionFor('clip', config, (float) => buildClip(weights, config, float), weights, opts);
  return {
    config,
    async encode(ids, { layer = -1, finalNorm = true, extras, eosPooled = false } = {}) {
      if (ids.length % config.positions) throw new Error(`clip: ${ids.length} ids is not a multiple of ${config.positions} positions`);
      if (layer >= 0 || -layer > config.layers) throw new Error(`clip: layer ${layer} outside -1…-${config.layers}`);
      const index = config.layers + 1 + layer;
      const name = finalNorm ? clipNormed(index) : clipHidden(index);
      const last = clipNormed(config.layers);
      const fetches = [...new Set([name, ...(config.projectionDim !== undefined ? ['pooled'] : []), ...(eosPooled ? [last] : [])])];
      if (extras && (extras.length === 0 || extras.length % config.width))
        throw new Error(`clip: extra embeddings of ${extras.length} values are not rows of ${config.width}`);
      const rows = extras ?? new Float32Array(config.width);
      for (const id of ids) {
        if (id < -rows.length / config.width || id >= config.vocab)
          throw new Error(`clip: token id ${id} is outside the vocabulary and the ${rows.length / config.width} extra embeddings`);
      }
      const out = await session.run(
        {
          input_ids: new ort.Tensor('int32', ids, [ids.length / config.positions, config.positions]),
          extra_embeds: new ort.Tensor('float32', rows, [rows.length / config.width, config.width]),
        },
        fetches,
      );
      return {
        hidden: toF32(out[name]),
        ...(out.pooled ? { pooled: toF32(out.pooled) } : {}),
        ...(eosPooled ? { eosPooled: rowsAtEos(toF32(out[last]), ids) } : {}),
      };
    },
  };
}

export interface UNetRunner {
  readonly config: UNetConfig;
  /** the attention kernel its graph uses (memory estimates differ) */
  readonly attention: AttentionKernel;
  /**
   * eps/v prediction for x [B,C,H,W] (any H, W ≥ 1, as ComfyUI) at float timesteps [B] with context [B,T,ctx]
   * (and y [B,adm] for SDXL); one session serves every size
   */
  run(x: F32Tensor, timesteps: Float32Array, context: F32Tensor, y?: F32Tensor, extras?: UNetRunExtras): Promise<F32Tensor>;
  /** the provider its session runs on */
  readonly provider: Provider;
  /**
   * The plain graph on tensors that may live on the device (resident sampling): x [B,C,H,W], timesteps [B],
   * context [B,T,ctx], y [B,adm]; the output stays where the session keeps it.
   */
  runOnDevice(feeds: UNetDeviceFeeds): Promise<ort.Tensor>;
}

/** runOnDevice's inputs (already checked by the caller against `config`). */
export interface UNetDeviceFeeds {
  x: ort.Tensor;
  timesteps: ort.Tensor;
  context: ort.Tensor;
  y?: ort.Tensor;
}

/** UNetRunner.run's extra inputs beyond x / timesteps / context / y; without any, the plain graph and feeds. */
export interface UNetRunExtras {
  /** the GLIGEN graph's grounding inputs (required by, and only accepted by, a runner built with `gligen`) */
  gligen?: GligenFeeds;
  /** ControlNet residuals (ComfyUI's control dict after control_merge); the graph's control variant runs them */
  control?: ControlResiduals;
}

/**
 * ComfyUI's control dict: `output` has one residual per input block (null: none there), `middle` one; `input`
 * (T2I-Adapters) is in ComfyUI's list order: the UNet pops from its end, so the last entry goes to input block 0.
 */
export interface ControlResiduals {
  readonly output: readonly (F32Tensor | null)[];
  readonly middle: readonly (F32Tensor | null)[];
  readonly input?: readonly (F32Tensor | null)[];
}

/** The GLIGEN graph's per-row inputs (see patches/gligen.ts gligenRowInputs), batch first. */
export interface GligenFeeds {
  fourier: F32Tensor;
  masks: F32Tensor;
  embeddings: F32Tensor;
}

export interface UNetPatchOptions {
  /** ComfyUI's attn1/attn2 hypernetwork patches, applied in this order */
  hypernets?: readonly { id: string; strength: number; net: Hypernetwork }[];
  freeU?: readonly FreeUPatch[];
  /** a GLIGEN model (its runner then needs the gligen feeds on every run) */
  gligen?: { id: string; weights: WeightProvider; model: GligenModel };
}

export async function createUNet(base: WeightProvider, opts: RuntimeOptions & UNetPatchOptions & { config?: UNetConfig } = {}): Promise<UNetRunner> {
  const config = opts.config ?? deriveUNetConfig(base);
  const attention = opts.attention ?? defaultAttention();
  const nets = (opts.hypernets ?? []).map((h, i) => ({
    prefix: `hypernet.${i}.`,
    strength: h.strength,
    mlps: h.net.mlps,
    weights: h.net.weights,
    id: h.id,
  }));
  const gl = opts.gligen && { prefix: 'gligen.', model: opts.gligen.model };
  const weights = withPrefixedWeights(base, [
    ...nets.map((n) => [n.prefix, n.weights] as const),
    ...(opts.gligen ? [['gligen.', opts.gligen.weights] as const] : []),
  ]);
  // the strengths are constants of the graph, so they are part of its key (the weights' identities are already)
  const freeU = opts.freeU ?? [];
  const key = {
    ...config,
    attention,
    ...(nets.length ? { hypernets: nets.map((n) => [n.id, n.strength]) } : {}),
    ...(freeU.length ? { freeU } : {}),
    ...(opts.gligen ? { gligen: opts.gligen.id } : {}),
  };
  const session = await sessionFor(
    'unet',
    key,
    (float) => buildUNet(weights, config, { attention, float, hypernets: nets, freeU, ...(gl ? { gligen: gl } : {}) }),
    weights,
    { ...opts, outputsOnDevice: residentSampling() !== 'off' },
  );
  // a control variant is built on the first call with residuals (with the 'input' side only when T2I-Adapters give
  // one); plain calls keep the plain graph
  const controlled = new Map<boolean, Promise<SessionRef>>();
  return {
    config,
    attention,
    provider: session.provider,
    async runOnDevice(feeds) {
      if (gl) throw new Error('unet: a GLIGEN graph needs the gligen inputs (resident sampling runs plain graphs only)');
      const out = await session.runOnDevice({ ...feeds } as Record<string, ort.Tensor>, ['out']);
      return out.out;
    },
    async run(x, timesteps, context, y, extras) {
      const gligen = extras?.gligen;
      const [, c, h, w] = x.shape;
      if (x.shape.length !== 4 || c !== config.inChannels || !(h >= 1 && w >= 1)) {
        throw new Error(`unet: x has shape [${x.shape.join(', ')}], expected [batch, ${config.inChannels}, height ≥ 1, width ≥ 1]`);
      }
      if (timesteps.length !== x.shape[0]) throw new Error(`unet: ${timesteps.length} timesteps for batch ${x.shape[0]}`);
      if ((config.admInChannels !== undefined) !== (y !== undefined)) {
        throw new Error(
          config.admInChannels !== undefined ? 'unet: this model needs the y vector (label_emb)' : 'unet: y given to a model without label_emb',
        );
      }
      if (!gl !== !gligen)
        throw new Error(gl ? 'unet: this GLIGEN graph needs the gligen inputs' : 'unet: gligen inputs given to a graph without GLIGEN');
      const feeds: Record<string, ort.Tensor> = {
        x: f32(x),
        timesteps: new ort.Tensor('float32', timesteps, [timesteps.length]),
        context: f32(context),
        ...(y ? { y: f32(y) } : {}),
        ...(gligen ? { gligen_fourier: f32(gligen.fourier), gligen_masks: f32(gligen.masks), gligen_embeddings: f32(gligen.embeddings) } : {}),
      };
      if (extras?.control) {
        // a run with ControlNets sends every call here (common-ksampler), so the plain graph's weights are let go
        if (controlled.size === 0) void session.release();
        const withInput = extras.control.input !== undefined;
        let variant = controlled.get(withInput);
        if (!variant) {
          variant = sessionFor(
            'unet',
            { ...key, control: true, ...(withInput ? { controlInput: true } : {}) },
            (float) =>
              buildUNet(weights, config, {
                attention,
                float,
                hypernets: nets,
                freeU,
                control: true,
                controlInput: withInput,
                ...(gl ? { gligen: gl } : {}),
              }),
            weights,
            opts,
          );
          controlled.set(withInput, variant);
        }
        Object.assign(feeds, controlFeeds(extras.control, x.shape, config));
        return toF32((await (await variant).run(feeds, ['out'])).out);
      }
      return toF32((await session.run(feeds, ['out'])).out);
    },
  };
}

/** The UNet's input-block outputs (= skips) and middle-block output shapes for x of `xShape` [B, C, h, w]. */
export function unetBlockShapes(
  config: Pick<UNetConfig, 'modelChannels' | 'channelMult' | 'numResBlocks'>,
  xShape: readonly number[],
): { blocks: number[][]; middle: number[] } {
  const [batch, , h, w] = xShape;
  // input_blocks.0 at full size, then each level's blocks; a downsample halves (rounding up)
  const blocks: number[][] = [[batch, config.modelChannels, h, w]];
  let [sh, sw] = [h, w];
  config.channelMult.forEach((m, level) => {
    for (let r = 0; r < config.numResBlocks[level]; r++) blocks.push([batch, config.modelChannels * m, sh, sw]);
    if (level < config.channelMult.length - 1) {
      sh = Math.ceil(sh / 2);
      sw = Math.ceil(sw / 2);
      blocks.push([batch, config.modelChannels * m, sh, sw]);
    }
  });
  return { blocks, middle: [batch, config.modelChannels * (config.channelMult.at(-1) ?? 1), sh, sw] };
}

/** Residuals as the control graph's inputs: a missing one (null, or a shorter list) is zeros, which adds nothing. */
function controlFeeds(c: ControlResiduals, xShape: readonly number[], config: UNetConfig): Record<string, ort.Tensor> {
  const { blocks: shapes, middle: midShape } = unetBlockShapes(config, xShape);
  if (c.output.length > shapes.length)
    throw new Error(`unet: ${c.output.length} ControlNet residuals for ${shapes.length} input blocks: a ControlNet for another model?`);
  const feed = (t: F32Tensor | null | undefined, shape: number[], what: string): ort.Tensor => {
    if (!t) return new ort.Tensor('float32', new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
    if (t.shape.length !== 4 || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(
        `unet: ControlNet residual for ${what} has shape [${t.shape.join(', ')}], the UNet has [${shape.join(', ')}] there: a ControlNet for another model?`,
      );
    }
    return f32(t);
  };
  const feeds: Record<string, ort.Tensor> = { control_middle: feed(c.middle[0], midShape, 'the middle block') };
  shapes.forEach((s, i) => {
    feeds[`control_output_${i}`] = feed(c.output[i], s, `input block ${i}`);
  });
  const input = c.input;
  // popped from the end: input block i takes input[length - 1 - i]; entries beyond the blocks are never reached
  if (input) shapes.forEach((s, i) => (feeds[`control_input_${i}`] = feed(input[input.length - 1 - i], s, `input block ${i} (input side)`)));
  return feeds;
}

export interface ControlNetRunner {
  readonly config: ControlNetConfig;
  /**
   * comfy.cldm ControlNet.forward: x [B,C,H,W] (already × c_in) at float timesteps [B], context [B,T,ctx], y [B,adm]
   * (SDXL), hint [1 or B, hintC, 8H, 8W] → one residual per input block and the middle one
   */
  run(
    x: F32Tensor,
    timesteps: Float32Array,
    context: F32Tensor,
    hint: F32Tensor,
    y?: F32Tensor,
  ): Promise<{ output: F32Tensor[]; middle: F32Tensor[] }>;
}

export async function createControlNet(
  weights: WeightProvider,
  opts: RuntimeOptions & { config?: ControlNetConfig } = {},
): Promise<ControlNetRunner> {
  const config = opts.config ?? deriveControlNetConfig(weights);
  const attention = opts.attention ?? defaultAttention();
  // 'unet' kind: the same precision rules (fp16 on CUDA) as the UNet it feeds
  const session = await sessionFor(
    'unet',
    { controlnet: config, attention },
    (float) => buildControlNet(weights, config, { attention, float }),
    weights,
    opts,
  );
  const blocks = 1 + config.numResBlocks.reduce((a, n) => a + n, 0) + config.channelMult.length - 1;
  const names = [...Array.from({ length: blocks }, (_, i) => `control_output_${i}`), 'control_middle'];
  return {
    config,
    async run(x, timesteps, context, hint, y) {
      if ((config.admInChannels !== undefined) !== (y !== undefined)) {
        throw new Error(
          config.admInChannels !== undefined
            ? 'controlnet: this ControlNet needs the y vector (an SDXL ControlNet on a model without one?)'
            : 'controlnet: y given to a ControlNet without label_emb',
        );
      }
      const feeds: Record<string, ort.Tensor> = {
        x: f32(x),
        timesteps: new ort.Tensor('float32', timesteps, [timesteps.length]),
        context: f32(context),
        hint: f32(hint),
        ...(y ? { y: f32(y) } : {}),
      };
      const out = await session.run(feeds, names);
      return { output: names.slice(0, -1).map((n) => toF32(out[n])), middle: [toF32(out.control_middle)] };
    },
  };
}

export interface Vae {
  readonly config: VaeConfig;
  /** z [B, embedDim, h, w] (latent already divided by the scale factor; any h, w ≥ 1) → image [B, 3, 8h, 8w] in about [-1, 1] */
  decode(z: F32Tensor): Promise<F32Tensor>;
  /**
   * image [B, 3, H, W] in [-1, 1] → posterior mean and clamped logvar [B, embedDim, ⌊H/8⌋, ⌊W/8⌋]; sides that are
   * not multiples of 8 are first cropped, centred, as ComfyUI's VAE encode does (see cropForEncode)
   */
  encode(image: F32Tensor): Promise<{ mean: F32Tensor; logvar: F32Tensor }>;
}

export async function createVae(weights: WeightProvider, opts: RuntimeOptions & { config?: VaeConfig } = {}): Promise<Vae> {
  const config = opts.config ?? deriveVaeConfig(weights);
  // the VAE's single 512-wide head: ORT's CPU MultiHeadAttention measured slower and no smaller for decode than the
  // standard path (docs/benchmarks.md, bench/vae-memory.ts), so standard unless asked; big images are tiled instead
  const attention = opts.attention ?? 'standard';
  const decoder = await sessionFor(
    'vae_decoder',
    { ...config, attention },
    (float) => buildVaeDecoder(weights, config, float, attention),
    weights,
    opts,
  );
  // the encoder session is only built on first use: most workflows never encode
  let encoder: Promise<SessionRef> | undefined;
  return {
    config,
    async decode(z) {
      return toF32((await decoder.run({ z: f32(z) }, ['image'])).image);
    },
    async encode(image) {
      if (!config.hasEncoder) throw new Error('vae: this VAE has no encoder weights');
      encoder ??= sessionFor('vae_encoder', { ...config, attention }, (float) => buildVaeEncoder(weights, config, float, attention), weights, opts);
      const cropped = cropForEncode(image, 2 ** (config.chMult.length - 1));
      const out = await (await encoder).run({ image: f32(cropped) }, ['mean', 'logvar']);
      return { mean: toF32(out.mean), logvar: toF32(out.logvar) };
    },
  };
}

export interface ClipVisionRunner {
  readonly config: ClipVisionConfig;
  /** normalised pixels [B, 3, S, S] → the three CLIPVisionEncode outputs */
  encode(pixels: F32Tensor): Promise<{ lastHiddenState: F32Tensor; penultimateHiddenStates: F32Tensor; imageEmbeds: F32Tensor }>;
}

export async function createClipVision(weights: WeightProvider, opts: RuntimeOptions = {}): Promise<ClipVisionRunner> {
  const config = deriveClipVisionConfig(weights);
  // small next to the diffusion models, and run once per image: fp32 everywhere
  const session = await sessionFor('clip_vision', config, () => buildClipVision(weights, config), weights, { ...opts, precision: 'float32' });
  return {
    config,
    async encode(pixels) {
      const [, c, h, w] = pixels.shape;
      if (pixels.shape.length !== 4 || c !== 3 || h !== config.imageSize || w !== config.imageSize) {
        throw new Error(`clip vision: pixels [${pixels.shape.join(', ')}], expected [batch, 3, ${config.imageSize}, ${config.imageSize}]`);
      }
      const out = await session.run({ pixels: f32(pixels) }, ['last_hidden_state', 'penultimate_hidden_states', 'image_embeds']);
      return {
        lastHiddenState: toF32(out.last_hidden_state),
        penultimateHiddenStates: toF32(out.penultimate_hidden_states),
        imageEmbeds: toF32(out.image_embeds),
      };
    },
  };
}

export interface T2IAdapterRunner {
  readonly config: T2IAdapterConfig;
  /** hint [B, inputChannels, H, W] (H, W multiples of the unshuffle amount) → one feature per level */
  run(hint: F32Tensor): Promise<F32Tensor[]>;
}

export async function createT2IAdapter(weights: WeightProvider, config: T2IAdapterConfig, opts: RuntimeOptions = {}): Promise<T2IAdapterRunner> {
  // runs once per hint size, not per step: fp32 everywhere
  const session = await sessionFor('t2i_adapter', config, () => buildT2IAdapter(weights, config), weights, { ...opts, precision: 'float32' });
  const names = config.channels.map((_, i) => `feature_${i}`);
  return {
    config,
    async run(hint) {
      const [, c, h, w] = hint.shape;
      const r = config.unshuffle;
      if (hint.shape.length !== 4 || c !== config.inputChannels || !(h >= r && w >= r) || h % r || w % r) {
        throw new Error(
          `t2i adapter: hint [${hint.shape.join(', ')}], expected [batch, ${config.inputChannels}, height, width] with sides multiples of ${r}`,
        );
      }
      const out = await session.run({ hint: f32(hint) }, names);
      return names.map((n) => toF32(out[n]));
    },
  };
}

export interface StyleAdapterRunner {
  readonly config: StyleAdapterConfig;
  /** CLIP vision last_hidden_state [B, T, width] → style tokens [B, tokens, context] */
  run(hidden: F32Tensor): Promise<F32Tensor>;
}

export async function createStyleAdapter(weights: WeightProvider, name: string, opts: RuntimeOptions = {}): Promise<StyleAdapterRunner> {
  const config = deriveStyleAdapterConfig(weights, name);
  // a few tokens through three blocks, once per image: fp32 everywhere
  const session = await sessionFor('style_adapter', config, () => buildStyleAdapter(weights, config), weights, { ...opts, precision: 'float32' });
  return {
    config,
    async run(hidden) {
      if (hidden.shape.length !== 3 || hidden.shape[2] !== config.width) {
        throw new Error(
          `style model: CLIP vision output [${hidden.shape.join(', ')}], expected [batch, tokens, ${config.width}] (a CLIP vision model of another width?)`,
        );
      }
      return toF32((await session.run({ hidden: f32(hidden) }, ['style'])).style);
    },
  };
}
