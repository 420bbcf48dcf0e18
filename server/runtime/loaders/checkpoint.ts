/** Checkpoint / VAE files → handles, loaded once per file version through the engine's ModelCache. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelCache } from '../model-cache';
import type { ComponentName, Prediction } from '../checkpoint/families';
import { fileIdentity } from '../checkpoint/hash';
import { loadCheckpoint, type Checkpoint } from '../checkpoint/load';
import { latentFamilyOf, type ClipHandle, type ClipVisionHandle, type ModelHandle, type TowerName, type VaeHandle } from '../handles';
import { openClipVisualAsHf } from '../checkpoint/open-clip-visual';
import { stateDictProvider } from '../checkpoint/provider';

export interface LoadedCheckpoint {
  model: ModelHandle;
  clip: ClipHandle;
  vae: VaeHandle;
}

const TOWERS: readonly TowerName[] = ['clip', 'clip_l', 'clip_g'];

/** Header-only parse of a checkpoint, cached by file identity (path + size + mtime) and prediction option. */
export async function cachedCheckpoint(models: ModelCache, file: string, prediction: 'auto' | Prediction, signal?: AbortSignal): Promise<Checkpoint> {
  const id = await fileIdentity(file);
  const bytes = (await stat(file)).size;
  return models.get(`checkpoint|${id}|${prediction}`, async () => ({ value: await loadCheckpoint(file, { prediction, signal }), bytes }));
}

/**
 * Generation needs a model the samplers can drive: instruct-edit UNets (extra image channels) are detected but not
 * supported yet, so the LoadCheckpoint node says so up front instead of failing later inside the UNet. Inpainting UNets
 * (mask + masked latent channels) and SDXL refiners run.
 */
export function assertGenerationSupported(ck: Checkpoint): void {
  const name = path.basename(ck.path);
  if (ck.variant === 'edit') {
    const channels = ck.components.unet?.get('input_blocks.0.0.weight')?.shape[1];
    const what = 'instruct-edit (pix2pix)';
    throw new Error(
      `${name}: ${ck.family} ${what} checkpoint detected (UNet takes ${channels ?? '?'} input channels): ${what} models are not supported by the samplers yet.`,
    );
  }
}

const handlesOf = new WeakMap<Checkpoint, Map<string, LoadedCheckpoint>>();

/** The handles of a loaded checkpoint; the same objects for the same Checkpoint (LoRA key maps are memoised per provider). */
export function checkpointHandles(ck: Checkpoint, modelsDir: string): LoadedCheckpoint {
  let byDir = handlesOf.get(ck);
  if (!byDir) {
    byDir = new Map();
    handlesOf.set(ck, byDir);
  }
  let h = byDir.get(modelsDir);
  if (!h) {
    h = buildHandles(ck, modelsDir);
    byDir.set(modelsDir, h);
  }
  return h;
}

function buildHandles(ck: Checkpoint, modelsDir: string): LoadedCheckpoint {
  const name = path.basename(ck.path);
  const need = (c: ComponentName) => {
    if (!ck.components[c]?.size) throw new Error(`${name} (${ck.family}) has no ${c} weights`);
    return ck.provider(c);
  };
  const towers: Partial<Record<TowerName, ReturnType<Checkpoint['provider']>>> = {};
  for (const t of TOWERS) if (ck.components[t]?.size) towers[t] = ck.provider(t);
  const source = { step: 'checkpoint', file: name, family: ck.family };
  return {
    model: {
      kind: 'model',
      family: ck.family,
      prediction: ck.prediction,
      unet: need('unet'),
      latent: latentFamilyOf(ck.family),
      key: `${ck.id}/unet`,
      recipe: [{ ...source, prediction: ck.prediction }],
    },
    clip: { kind: 'clip', family: ck.family, towers, vocab: { modelsDir, checkpointPath: ck.path }, key: `${ck.id}/clip`, recipe: [source] },
    vae: { kind: 'vae', vae: need('vae'), key: `${ck.id}/vae`, recipe: [source] },
  };
}

/** ComfyUI's SD21Unclip clip_vision_prefix: the open_clip image tower unCLIP checkpoints carry. */
const UNCLIP_VISION_PREFIX = 'embedder.model.visual.';

/** unCLIPCheckpointLoader's CLIP_VISION: the checkpoint's image tower under HF names; a clear error when it has none. */
export function unclipVisionHandle(ck: Checkpoint): ClipVisionHandle {
  const name = path.basename(ck.path);
  const hasAdm = ck.components.unet?.has('label_emb.0.0.weight') === true;
  if (ck.family !== 'sd2' || !hasAdm) {
    throw new Error(`${name} is not an unCLIP checkpoint (${ck.family}${hasAdm ? '' : ', no label_emb'}): load it with CheckpointLoaderSimple`);
  }
  const dict = openClipVisualAsHf(ck.tensors, UNCLIP_VISION_PREFIX);
  if (!dict)
    throw new Error(
      `${name}: no CLIP image encoder under ${UNCLIP_VISION_PREFIX} (an unCLIP UNet without its image tower); load one with CLIPVisionLoader`,
    );
  return {
    kind: 'clip_vision',
    weights: stateDictProvider(dict, `${ck.id}/clip_vision`),
    key: `${ck.id}/clip_vision`,
    recipe: [{ step: 'checkpoint', file: name, part: 'clip_vision' }],
  };
}
