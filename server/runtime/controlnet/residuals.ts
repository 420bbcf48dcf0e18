/**
 * The sampler side of ControlNets: ComfyUI's ControlNet.get_control per model call (comfy/controlnet.py), plugged in as
 * the CondExtras hook. Per call: the previous ControlNet's residuals first, then this one's unless σ is outside its
 * timestep range; the hint resized to the crop × 8 (common_upscale nearest-exact, centre crop; cached per size for the
 * run); the ControlNet on x·c_in, the model timestep and the batch's context (and SDXL y); control_merge (× strength,
 * then + the previous residuals).
 */
import type { ModelCache } from '../model-cache';
import type { CondEntry, ControlNetHandle, ModelHandle } from '../handles';
import { createControlNet, type ControlNetRunner, type ControlResiduals, type F32Tensor, type UNetRunner } from '../models';
import type { CondExtras, ExtrasCall } from '../sampling/conds';
import type { ModelSamplingDiscrete } from '../sampling/model-sampling';
import { commonUpscale } from '../image/common-upscale';
import { numel } from '../io/tensor';
import { isAppliedControlNet, type AppliedControlNet } from './apply';
import { checkT2IAdapterFits, t2iAdapterControl } from './t2i-residuals';
import { broadcastHint, scaled, toNchw } from './tensors';
import { controlLoraWeights } from './control-lora';
import { deriveControlNetConfig, type ControlNetConfig } from '../checkpoint/arch/controlnet';
import type { WeightProvider } from '../checkpoint/weights';

const f = Math.fround;

/** The weights and config a ControlNet runs with on this model (a Control-LoRA is completed from the model's UNet). */
export interface ResolvedControlNet {
  readonly weights: WeightProvider;
  readonly config: ControlNetConfig;
  readonly key: string;
}

export function resolveControlNet(net: ControlNetHandle, model: ModelHandle): ResolvedControlNet {
  if (net.config) return { weights: net.weights, config: net.config, key: net.key };
  const weights = controlLoraWeights(net.weights, model.unet, net.name, model.key);
  return { weights, config: deriveControlNetConfig(weights), key: `${net.key}+lora(${model.key})` };
}

export function controlNetRunnerFor(models: ModelCache, net: ResolvedControlNet): Promise<ControlNetRunner> {
  // the cache's size estimate: the weights in fp32, as the UNet's
  const bytes = net.weights.names().reduce((n, k) => n + numel(net.weights.info(k).shape) * 4, 0);
  return models.get(`controlnet|${net.key}`, async () => ({ value: await createControlNet(net.weights, { config: net.config }), bytes }));
}

/** Refuses a ControlNet whose residuals cannot fit this UNet (another family), naming both, before sampling. */
export function checkControlNetFits(net: ControlNetHandle, c: ControlNetConfig, unet: UNetRunner, modelFamily: string, label: string): void {
  const u = unet.config;
  const describe = (x: { contextDim: number; admInChannels?: number; modelChannels: number; channelMult: readonly number[] }) =>
    `context ${x.contextDim}${x.admInChannels !== undefined ? `, adm ${x.admInChannels}` : ''}, ${x.modelChannels} channels × [${x.channelMult.join(', ')}]`;
  const same =
    c.contextDim === u.contextDim &&
    c.admInChannels === u.admInChannels &&
    c.modelChannels === u.modelChannels &&
    c.inChannels === u.inChannels &&
    c.channelMult.join() === u.channelMult.join() &&
    c.numResBlocks.join() === u.numResBlocks.join();
  if (!same) {
    throw new Error(
      `${label}: the ControlNet ${net.name} (${describe(c)}) does not fit the ${modelFamily} model (${describe(u)}): a ControlNet for another model family?`,
    );
  }
}

const addTensors = (a: F32Tensor, b: F32Tensor): F32Tensor => {
  if (a.data.length !== b.data.length)
    throw new Error(`chained ControlNets give residuals of different sizes ([${a.shape.join(', ')}] and [${b.shape.join(', ')}])`);
  return { data: Float32Array.from(a.data, (v, i) => v + b.data[i]), shape: a.shape };
};

/** control_merge's chaining: prev + this, element by element; a missing side takes the other. */
function merge(own: ControlResiduals, prev: ControlResiduals | undefined): ControlResiduals {
  if (!prev) return own;
  const join = (o: readonly (F32Tensor | null)[], p: readonly (F32Tensor | null)[]) => {
    const out = [...o];
    p.forEach((pv, i) => {
      if (i >= out.length) out.push(pv);
      else if (pv) out[i] = out[i] ? addTensors(pv, out[i] as F32Tensor) : pv;
    });
    return out;
  };
  const input = own.input || prev.input ? { input: join(own.input ?? [], prev.input ?? []) } : {};
  return { output: join(own.output, prev.output), middle: join(own.middle, prev.middle), ...input };
}

/**
 * The extras hook for prepareConds: entries carrying a ControlNet get the CondExtras of that ControlNet object (one per
 * object, so entries sharing it batch together). Compatibility with the UNet is checked here, before sampling.
 */
export function controlNetExtras(o: {
  models: ModelCache;
  unet: UNetRunner;
  model: ModelHandle;
  modelSampling: ModelSamplingDiscrete;
  /** T2I-Adapter features that do not fit a UNet block are skipped with this warning, as ComfyUI's apply_control */
  warn?: (message: string) => void;
}): (entry: CondEntry, label: string) => CondExtras | undefined {
  const made = new Map<AppliedControlNet, CondExtras>();
  const resolved = new Map<ControlNetHandle, ResolvedControlNet>();
  const resolve = (net: ControlNetHandle): ResolvedControlNet => {
    let r = resolved.get(net);
    if (!r) {
      r = resolveControlNet(net, o.model);
      resolved.set(net, r);
    }
    return r;
  };
  // hint per ControlNet copy and size (ComfyUI keeps cond_hint on the object until cleanup after sampling)
  const hints = new Map<AppliedControlNet, { key: string; hint: F32Tensor }>();
  const hintFor = (a: AppliedControlNet, height: number, width: number): F32Tensor => {
    const key = `${height}x${width}`;
    const cached = hints.get(a);
    if (cached?.key === key) return cached.hint;
    const hint = toNchw(commonUpscale(a.hint, 'nhwc', width, height, 'nearest-exact', 'center'));
    hints.set(a, { key, hint });
    return hint;
  };
  const adapters = t2iAdapterControl({ models: o.models, unet: o.unet, warn: o.warn ?? ((m) => console.warn(m)) });
  const getControl = async (a: AppliedControlNet, call: ExtrasCall): Promise<ControlResiduals | undefined> => {
    const prev = a.previous ? await getControl(a.previous, call) : undefined;
    const sigmaStart = o.modelSampling.percentToSigma(a.startPercent);
    const sigmaEnd = o.modelSampling.percentToSigma(a.endPercent);
    if (call.sigma > f(sigmaStart) || call.sigma < f(sigmaEnd)) return prev;
    if (a.net.t2iAdapter) return merge(await adapters.residuals(a, a.net.t2iAdapter, call), prev);
    const runner = await controlNetRunnerFor(o.models, resolve(a.net));
    const [rows, , h, w] = call.shape;
    const hint = broadcastHint(hintFor(a, h * 8, w * 8), rows, call.areas.length);
    const cIn = o.modelSampling.cIn(call.sigma);
    const x = { data: Float32Array.from(call.x, (v) => v * cIn), shape: [...call.shape] };
    const out = await runner.run(x, new Float32Array(rows).fill(call.timestep), call.context, hint, call.y);
    const pool = a.net.globalAveragePooling;
    const own = { output: out.output.map((t) => scaled(t, a.strength, pool)), middle: out.middle.map((t) => scaled(t, a.strength, pool)) };
    return merge(own, prev);
  };
  return (entry, label) => {
    if (entry.control === undefined) return undefined;
    const a = entry.control;
    if (!isAppliedControlNet(a)) throw new Error(`${label} carries a control of a kind this sampler cannot apply`);
    const known = made.get(a);
    if (known) return known;
    for (let c: AppliedControlNet | undefined = a; c; c = c.previous) {
      if (c.net.t2iAdapter) checkT2IAdapterFits(c.net, c.net.t2iAdapter, o.unet, o.model.family, `${label} (${c.origin})`);
      else checkControlNetFits(c.net, resolve(c.net).config, o.unet, o.model.family, `${label} (${c.origin})`);
    }
    const extras: CondExtras = {
      key: a,
      stepInputs: async (call) => {
        const control = await getControl(a, call);
        return control ? { control } : {};
      },
    };
    made.set(a, extras);
    return extras;
  };
}

/** Which UNet control graph a run needs: none, ControlNet residuals only, or T2I-Adapters' 'input' side too. */
export function controlGraphOf(entries: readonly CondEntry[]): false | 'control' | 'input' {
  let graph: false | 'control' | 'input' = false;
  for (const e of entries) {
    for (let c = isAppliedControlNet(e.control) ? e.control : undefined; c; c = c.previous) {
      if (c.net.t2iAdapter) return 'input';
      graph = 'control';
    }
    if (e.control !== undefined && graph === false) graph = 'control';
  }
  return graph;
}
