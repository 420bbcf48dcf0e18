/**
 * What the ControlNets and T2I-Adapters of a sampling run add to its memory: the weights of those not loaded yet
 * (they load during the first step, beside the UNet) and, per latent row of a model call, the residuals they hand the
 * UNet. Their own activations are not added: they run before the UNet call, never alongside it, and are smaller.
 */
import type { ModelCache } from '../model-cache';
import type { CondEntry, ControlNetHandle } from '../handles';
import { unetBlockShapes, type UNetRunner } from '../models';
import { numel } from '../io/tensor';
import { isAppliedControlNet, type AppliedControlNet } from './apply';

export interface ControlMemory {
  /** distinct ControlNet / T2I-Adapter models the run applies */
  readonly count: number;
  /** fp32 weights of those not in the model cache yet */
  readonly weightBytes: number;
  /** residual bytes per latent row of one model call (all of them together) */
  readonly bytesPerRow: number;
}

const weightBytes = (net: ControlNetHandle) => net.weights.names().reduce((n, k) => n + numel(net.weights.info(k).shape) * 4, 0);

export function controlMemory(models: ModelCache, entries: readonly CondEntry[], unet: UNetRunner, latentShape: readonly number[]): ControlMemory {
  const nets = new Set<ControlNetHandle>();
  const copies = new Set<AppliedControlNet>();
  for (const e of entries) {
    for (let c = isAppliedControlNet(e.control) ? e.control : undefined; c; c = c.previous) {
      copies.add(c);
      nets.add(c.net);
    }
  }
  const [, , h, w] = latentShape;
  const { blocks, middle } = unetBlockShapes(unet.config, [1, unet.config.inChannels, h, w]);
  // every block's residual for a ControlNet (a bound for an adapter, whose features feed some of them)
  const residual = (blocks.reduce((n, s) => n + numel(s), 0) + numel(middle)) * 4;
  let weights = 0;
  for (const net of nets) {
    const key = net.t2iAdapter ? `t2i_adapter|${net.key}` : `controlnet|${net.key}`;
    if (!models.has(key)) weights += weightBytes(net);
  }
  return { count: nets.size, weightBytes: weights, bytesPerRow: copies.size * residual };
}
