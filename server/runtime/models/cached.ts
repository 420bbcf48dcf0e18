/** Built ONNX runtimes for handles, kept in the engine's ModelCache under the handle's weight key. */
import type { ModelCache } from '../model-cache';
import type { WeightProvider } from '../checkpoint/weights';
import { numel } from '../io/tensor';
import { createTextEncoder, createUNet, createVae, type TextEncoder, type UNetRunner, type Vae } from './index';
import type { GligenHandle, ModelHandle, VaeHandle } from '../handles';
import { deriveClipConfig } from '../checkpoint/arch/clip';
import { deriveUNetConfig } from '../checkpoint/arch/unet';

/** fp32 bytes the runtime holds for these weights: the cache's size estimate. */
function f32Bytes(p: WeightProvider): number {
  let n = 0;
  for (const name of p.names()) n += numel(p.info(name).shape) * 4;
  return n;
}

const unetKey = (model: ModelHandle, gligen?: GligenHandle) => `unet|${model.key}${gligen ? `|gligen:${gligen.key}` : ''}`;

/** Whether the UNet runner (and so its session build) is ready, so a sampler need not report loading it. */
export function unetLoaded(models: ModelCache, model: ModelHandle): boolean {
  return models.has(unetKey(model));
}

/**
 * Starts building the UNet for a sampler whose model input just became known, while earlier nodes (the text
 * encoder) run; the sampler's own unetFor joins the same load. A failure is left for the sampler to report.
 */
export function warmUNet(models: ModelCache, model: ModelHandle | undefined): void {
  if (model) unetFor(models, model).catch(() => undefined);
}

/** The model's UNet runner; with `gligen`, the graph variant that takes that GLIGEN model's grounding inputs. */
export function unetFor(models: ModelCache, model: ModelHandle, gligen?: GligenHandle): Promise<UNetRunner> {
  return models.get(unetKey(model, gligen), async () => ({
    value: await createUNet(model.unet, {
      // ComfyUI's SD20 configs fix 64-wide heads whatever the projection (the shape rule agrees for real SD2 files)
      ...(model.family === 'sd2' ? { config: deriveUNetConfig(model.unet, { headChannels: 64 }) } : {}),
      ...(model.hypernets ? { hypernets: model.hypernets } : {}),
      ...(model.freeU ? { freeU: model.freeU } : {}),
      ...(gligen ? { gligen: { id: gligen.key, weights: gligen.weights, model: gligen.model } } : {}),
    }),
    bytes: f32Bytes(model.unet) + (model.hypernets ?? []).reduce((n, h) => n + f32Bytes(h.net.weights), 0) + (gligen ? f32Bytes(gligen.weights) : 0),
  }));
}

export function textEncoderFor(models: ModelCache, tower: WeightProvider, key: string, activation?: 'gelu' | 'quick_gelu'): Promise<TextEncoder> {
  return models.get(`clip|${key}${activation ? `|${activation}` : ''}`, async () => {
    const config = activation ? { ...deriveClipConfig(tower), activation } : undefined;
    return { value: await createTextEncoder(tower, config ? { config } : {}), bytes: f32Bytes(tower) };
  });
}

export function vaeFor(models: ModelCache, vae: VaeHandle): Promise<Vae> {
  return models.get(`vae|${vae.key}`, async () => ({ value: await createVae(vae.vae), bytes: f32Bytes(vae.vae) }));
}
