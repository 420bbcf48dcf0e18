/** CLIPVisionLoader: an image-encoder file (HF names, or open_clip's `visual.` names converted) → a handle; runtimes cached. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelCache } from '../model-cache';
import { fileIdentity } from '../checkpoint/hash';
import { stateDictProvider } from '../checkpoint/provider';
import { openCheckpointFile } from '../io/checkpoint-file';
import type { ClipVisionHandle, ClipVisionOutput } from '../handles';
import { createClipVision, type ClipVisionRunner } from '../models';
import { clipPreprocess } from '../image/clip-preprocess';
import type { ImageValue } from '../values';

export async function cachedClipVision(models: ModelCache, file: string, signal?: AbortSignal): Promise<ClipVisionHandle> {
  const id = await fileIdentity(file);
  const bytes = (await stat(file)).size;
  return models.get(`clip-vision-file|${id}`, async () => {
    const f = await openCheckpointFile(file, { signal });
    if (!f.tensors.has('vision_model.embeddings.patch_embedding.weight')) {
      throw new Error(`${path.basename(file)} is not a CLIP vision model in HF layout (no vision_model.embeddings.patch_embedding.weight)`);
    }
    const value: ClipVisionHandle = {
      kind: 'clip_vision',
      weights: stateDictProvider(f.tensors, `${id}/clip_vision`),
      key: `${id}/clip_vision`,
      recipe: [{ step: 'clip_vision', file: path.basename(file) }],
    };
    return { value, bytes };
  });
}

function runnerFor(models: ModelCache, h: ClipVisionHandle): Promise<ClipVisionRunner> {
  return models.get(`clip_vision|${h.key}`, async () => ({ value: await createClipVision(h.weights), bytes: 0 }));
}

/** ComfyUI's CLIPVisionEncode: clip_preprocess (crop: centre crop, else squash) then the encoder. */
export async function encodeImageWithClipVision(
  models: ModelCache,
  h: ClipVisionHandle,
  image: ImageValue,
  crop: boolean,
): Promise<ClipVisionOutput> {
  const runner = await runnerFor(models, h);
  const out = await runner.encode(clipPreprocess(image, runner.config.imageSize, crop));
  return { kind: 'clip_vision_output', ...out };
}
