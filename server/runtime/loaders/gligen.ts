/** GLIGENLoader: a GLIGEN textbox file → a handle, read once per file version through the engine's ModelCache. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelCache } from '../model-cache';
import { fileIdentity } from '../checkpoint/hash';
import { stateDictProvider } from '../checkpoint/provider';
import { openCheckpointFile } from '../io/checkpoint-file';
import type { GligenHandle } from '../handles';
import { readGligen } from '../patches/gligen';

export async function cachedGligen(models: ModelCache, file: string, signal?: AbortSignal): Promise<GligenHandle> {
  const id = await fileIdentity(file);
  const bytes = (await stat(file)).size;
  return models.get(`gligen-file|${id}`, async () => {
    const f = await openCheckpointFile(file, { signal });
    const weights = stateDictProvider(f.tensors, `${id}/gligen`);
    const value: GligenHandle = {
      kind: 'gligen',
      weights,
      model: readGligen(weights, file),
      key: `${id}/gligen`,
      recipe: [{ step: 'gligen', file: path.basename(file) }],
    };
    return { value, bytes };
  });
}
