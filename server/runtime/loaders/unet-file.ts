/**
 * UNETLoader: a diffusion-model-only file (models/diffusion_models or unet) → a MODEL handle. LDM names (bare or under
 * model.diffusion_model.) or diffusers names; the family comes from the shapes (a label_emb is SDXL; the refiner's
 * takes its text width + 5 × 256 values, 1280 + 1280 = 2560, the base's 2816; else the cross-attention width: 1024 SD2,
 * otherwise SD1), as the file carries no text encoder to tell.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelCache } from '../model-cache';
import { fileIdentity } from '../checkpoint/hash';
import { stateDictProvider, stripPrefix } from '../checkpoint/provider';
import { diffusersUnetToLdm, isDiffusersUNet } from '../checkpoint/diffusers-unet';
import { SD2_V_HEURISTIC, VARIANT_BY_IN_CHANNELS, type Family, type Prediction } from '../checkpoint/families';
import { openCheckpointFile } from '../io/checkpoint-file';
import { toFloat32 } from '../io/dtype';
import type { StateDict } from '../io/tensor';
import { latentFamilyOf, type ModelHandle } from '../handles';

const PREFIXES = ['model.diffusion_model.', 'diffusion_model.'];

function familyOf(dict: StateDict, name: string): Family {
  const adm = dict.get('label_emb.0.0.weight')?.shape[1];
  const ctx = [...dict.entries()].find(([k]) => /\.attn2\.to_k\.weight$/.test(k))?.[1].shape[1];
  // the refiner's pooled text is as wide as its context (clip_g alone), followed by 5 size/score embeddings
  if (adm !== undefined) return adm === 2560 || (ctx !== undefined && adm === ctx + 5 * 256) ? 'sdxl_refiner' : 'sdxl';
  if (ctx === undefined) throw new Error(`${name}: no cross-attention weights (attn2.to_k): not an SD UNet`);
  return ctx === 1024 ? 'sd2' : 'sd1';
}

/** ComfyUI's SD2 rule for files without a marker: v-prediction when this norm's std is large. */
async function predictionOf(dict: StateDict, family: Family): Promise<Prediction> {
  if (family !== 'sd2') return 'eps';
  const t = dict.get(SD2_V_HEURISTIC.key.replace('model.diffusion_model.', ''));
  if (!t) return 'eps';
  const v = toFloat32(await t.read(), t.dtype);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return std > SD2_V_HEURISTIC.stdAbove ? 'v_prediction' : 'eps';
}

export async function cachedUnetFile(models: ModelCache, file: string, signal?: AbortSignal): Promise<ModelHandle> {
  const id = await fileIdentity(file);
  const bytes = (await stat(file)).size;
  return models.get(`unet-file|${id}`, async () => {
    const name = path.basename(file);
    const f = await openCheckpointFile(file, { signal });
    const prefix = PREFIXES.find((p) => [...f.tensors.keys()].some((k) => k.startsWith(p)));
    const raw = prefix ? stripPrefix(f.tensors, prefix) : f.tensors;
    const dict = isDiffusersUNet(raw) ? diffusersUnetToLdm(raw, name) : raw;
    const conv = dict.get('input_blocks.0.0.weight');
    if (conv?.shape.length !== 4) throw new Error(`${name} is not a diffusion model (no input_blocks.0.0.weight or conv_in.weight)`);
    const family = familyOf(dict, name);
    const variant = VARIANT_BY_IN_CHANNELS[conv.shape[1]];
    if (variant !== 'normal' && variant !== 'inpaint')
      throw new Error(`${name}: a UNet taking ${conv.shape[1]} input channels (${variant ?? 'unknown'} model) is not supported by the samplers yet`);
    const prediction = await predictionOf(dict, family);
    const value: ModelHandle = {
      kind: 'model',
      family,
      prediction,
      unet: stateDictProvider(dict, `${id}/unet`),
      latent: latentFamilyOf(family),
      key: `${id}/unet`,
      recipe: [{ step: 'unet', file: name, family, prediction }],
    };
    return { value, bytes };
  });
}
