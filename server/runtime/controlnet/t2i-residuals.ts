/**
 * The sampler side of T2I-Adapters: ComfyUI's T2IAdapter.get_control (comfy/controlnet.py). The hint is resized with
 * common_upscale (nearest-exact, centre crop) to the latent × 8 rounded up to the unshuffle amount, averaged over its
 * channels when the adapter takes one, and run through the adapter once per hint size; every call then gets the
 * features × strength on the 'input' side of the control dict (and the 'middle' one for SDXL adapters).
 */
import type { ModelCache } from '../model-cache';
import type { ControlNetHandle } from '../handles';
import { createT2IAdapter, unetBlockShapes, type ControlResiduals, type F32Tensor, type T2IAdapterRunner, type UNetRunner } from '../models';
import type { ExtrasCall } from '../sampling/conds';
import { commonUpscale } from '../image/common-upscale';
import { numel } from '../io/tensor';
import type { AppliedControlNet } from './apply';
import { t2iFeatureLayout, type T2IAdapterConfig } from './t2i-config';
import { broadcastHint, scaled, toNchw } from './tensors';

const f = Math.fround;
/** ComfyUI's T2IAdapter: compression_ratio 8, upscale_algorithm nearest-exact (load_t2i_adapter) */
const COMPRESSION = 8;

export function t2iAdapterRunnerFor(models: ModelCache, net: ControlNetHandle, cfg: T2IAdapterConfig): Promise<T2IAdapterRunner> {
  const bytes = net.weights.names().reduce((n, k) => n + numel(net.weights.info(k).shape) * 4, 0);
  return models.get(`t2i_adapter|${net.key}`, async () => ({ value: await createT2IAdapter(net.weights, cfg), bytes }));
}

/** Feature shapes [C, h, w] per level for a latent of h × w (the graph's pooling and convs round odd sizes up). */
function featureShapes(cfg: T2IAdapterConfig, h: number, w: number): number[][] {
  const up = (v: number) => Math.ceil((v * COMPRESSION) / cfg.unshuffle);
  let [fh, fw] = [up(h), up(w)];
  const down = cfg.variant === 'light' ? [1, 2, 3] : cfg.xl ? [2] : [1, 2, 3];
  return cfg.channels.map((c, i) => {
    if (down.includes(i)) [fh, fw] = [Math.ceil(fh / 2), Math.ceil(fw / 2)];
    return [c, fh, fw];
  });
}

/** Which UNet block each non-null 'input' entry reaches: the list is popped from its end, one entry per block. */
function inputTargets(cfg: T2IAdapterConfig, blocks: number): { block: number; level: number }[] {
  const { input } = t2iFeatureLayout(cfg);
  const out: { block: number; level: number }[] = [];
  for (let b = 0; b < Math.min(blocks, input.length); b++) {
    const level = input[input.length - 1 - b];
    if (level !== null) out.push({ block: b, level });
  }
  return out;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Refuses, before sampling, an adapter for another model family (an SDXL `xl` adapter on an SD1/SD2 model or the
 * reverse) or one whose first feature does not fit the UNet block it feeds (another channel width), naming both.
 */
export function checkT2IAdapterFits(net: ControlNetHandle, cfg: T2IAdapterConfig, unet: UNetRunner, modelFamily: string, label: string): void {
  const sdxl = modelFamily === 'sdxl' || modelFamily === 'sdxl_refiner';
  const kind = cfg.xl ? 'an SDXL T2I-Adapter' : 'an SD1.x/SD2 T2I-Adapter';
  const u = unet.config;
  const what = `${kind} (${cfg.channels.join('/')} channels)`;
  const model = `the ${modelFamily} model (${u.modelChannels} channels × [${u.channelMult.join(', ')}])`;
  if (cfg.xl !== sdxl) throw new Error(`${label}: ${net.name} is ${what} and does not fit ${model}: a T2I-Adapter for another model family`);
  // at a nominal 64x64 latent: shapes scale alike at every size
  const { blocks } = unetBlockShapes(u, [1, u.inChannels, 64, 64]);
  const feats = featureShapes(cfg, 64, 64);
  const first = inputTargets(cfg, blocks.length)[0];
  if (!first || !sameShape(feats[first.level], blocks[first.block].slice(1))) {
    const got = first ? `[${feats[first.level].join(', ')}]` : 'nothing';
    const want = first ? `[${blocks[first.block].slice(1).join(', ')}]` : 'a block to feed';
    throw new Error(
      `${label}: ${net.name} is ${what}; its first feature ${got} does not fit ${model}, whose input block ${first?.block ?? 0} gives ${want} (at a 64x64 latent): a T2I-Adapter for another model?`,
    );
  }
}

/** Rows of a feature batch for the call: one sample stays one (broadcast by the UNet's add, repeated here). */
function toRows(t: F32Tensor, rows: number, chunks: number): F32Tensor {
  const b = broadcastHint(t, rows, chunks);
  if (b.shape[0] === rows) return b;
  const size = b.data.length / b.shape[0];
  if (b.shape[0] !== 1) throw new Error(`T2I-Adapter: a hint batch of ${t.shape[0]} cannot be spread over ${rows} rows of the model call`);
  const out = new Float32Array(size * rows);
  for (let r = 0; r < rows; r++) out.set(b.data, r * size);
  return { data: out, shape: [rows, ...b.shape.slice(1)] };
}

export function t2iAdapterControl(o: { models: ModelCache; unet: UNetRunner; warn: (m: string) => void }) {
  // features per adapter copy and hint size (ComfyUI keeps control_input until the hint size changes)
  const cache = new Map<AppliedControlNet, { key: string; features: Promise<F32Tensor[]> }>();
  const warned = new Set<string>();
  const featuresFor = (a: AppliedControlNet, cfg: T2IAdapterConfig, h: number, w: number): Promise<F32Tensor[]> => {
    const key = `${h}x${w}`;
    const hit = cache.get(a);
    if (hit?.key === key) return hit.features;
    const features = (async () => {
      const r = cfg.unshuffle;
      const [width, height] = [Math.ceil((w * COMPRESSION) / r) * r, Math.ceil((h * COMPRESSION) / r) * r];
      let hint = toNchw(commonUpscale(a.hint, 'nhwc', width, height, 'nearest-exact', 'center'));
      if (cfg.inputChannels === 1 && hint.shape[1] > 1) hint = channelMean(hint);
      if (hint.shape[1] !== cfg.inputChannels)
        throw new Error(`${a.origin}: input "image" has ${hint.shape[1]} channels, the T2I-Adapter ${a.net.name} takes ${cfg.inputChannels}`);
      const runner = await t2iAdapterRunnerFor(o.models, a.net, cfg);
      return runner.run(hint);
    })();
    cache.set(a, { key, features });
    return features;
  };
  return {
    /** this adapter's control dict for one model call (control_merge without the previous one) */
    async residuals(a: AppliedControlNet, cfg: T2IAdapterConfig, call: ExtrasCall): Promise<ControlResiduals> {
      const [rows, , h, w] = call.shape;
      const features = await featuresFor(a, cfg, h, w);
      const { blocks, middle } = unetBlockShapes(o.unet.config, call.shape);
      const layout = t2iFeatureLayout(cfg);
      const reached = new Map(inputTargets(cfg, blocks.length).map((t) => [t.level, t.block]));
      // apply_control skips (with a warning) a residual whose shape does not fit its block; so do we
      const fits = (level: number, target: readonly number[] | undefined, where: string) => {
        const ok = target !== undefined && sameShape(features[level].shape.slice(1), target.slice(1));
        const note = `${a.net.name}: feature ${level} [${features[level].shape.slice(1).join(', ')}] does not fit ${where}${target ? ` [${target.slice(1).join(', ')}]` : ''}; skipped, as ComfyUI does`;
        if (!ok && target !== undefined && !warned.has(note)) {
          warned.add(note);
          o.warn(note);
        }
        return ok;
      };
      const scaledLevel = new Map<number, F32Tensor>();
      const value = (level: number) => {
        let v = scaledLevel.get(level);
        if (!v) {
          v = toRows(scaled(features[level], a.strength, false), rows, call.areas.length);
          scaledLevel.set(level, v);
        }
        return v;
      };
      const input = layout.input.map((level) => {
        if (level === null) return null;
        const block = reached.get(level);
        if (block === undefined || !fits(level, blocks[block], `input block ${block}`)) return null;
        return value(level);
      });
      const mid = layout.middle.map((level) => (level !== null && fits(level, middle, 'the middle block') ? value(level) : null));
      return { input, middle: mid, output: [] };
    },
  };
}

/** torch.mean(hint, 1, keepdim=True) in float32 (channels summed in order, then divided). */
function channelMean(t: F32Tensor): F32Tensor {
  const [b, c, h, w] = t.shape;
  const plane = h * w;
  const out = new Float32Array(b * plane);
  for (let n = 0; n < b; n++)
    for (let i = 0; i < plane; i++) {
      let s = 0;
      for (let k = 0; k < c; k++) s = f(s + t.data[(n * c + k) * plane + i]);
      out[n * plane + i] = f(s / c);
    }
  return { data: out, shape: [b, 1, h, w] };
}
