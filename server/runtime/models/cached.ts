/** Built ONNX runtimes for handles, kept in the engine's ModelCache under the handle's weight key. */
import type { ModelCache } from '../model-cache';
import type { WeightProvider } from '../checkpoint/weights';
import { numel } from '../io/tensor';
import { createTextEncoder, createUNet, createVae, type TextEncoder, type UNetRunner, type Vae } from './index';
import type { ModelHandle, VaeHandle } from '../handles';

/** fp32 bytes the runtime holds for these weights: the cache's size estimate. */
function f32Bytes(p: WeightProvider): number {
  let n = 0;
  for (const name of p.names()) n += numel(p.info(name).shape) * 4;
  return n;
}

export function unetFor(models: ModelCache, model: ModelHandle): Promise<UNetRunner> {
  return models.get(`unet|${model.key}`, async () => ({
    value: await createUNet(model.unet, { ...(model.hypernets ? { hypernets: model.hypernets } : {}), ...(model.freeU ? { freeU: model.freeU } : {}) }),
    bytes: f32Bytes(model.unet) + (model.hypernets ?? []).reduce((n, h) => n + f32Bytes(h.net.weights), 0),
  }));
}

export function textEncoderFor(models: ModelCache, tower: WeightProvider, key: string): Promise<TextEncoder> {
  return models.get(`clip|${key}`, async () => ({ value: await createTextEncoder(tower), bytes: f32Bytes(tower) }));
}

export function vaeFor(models: ModelCache, vae: VaeHandle): Promise<Vae> {
  return models.get(`vae|${vae.key}`, async () => ({ value: await createVae(vae.vae), bytes: f32Bytes(vae.vae) }));
}
