/** Hypernetwork files, read once per file version and kept in the engine's model cache. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelCache } from '../model-cache';
import { loadHypernetwork, type Hypernetwork } from '../patches/hypernetwork';

export async function cachedHypernetwork(models: ModelCache, file: string, signal?: AbortSignal): Promise<{ net: Hypernetwork; id: string }> {
  const st = await stat(file);
  const id = `${path.resolve(file)}|${st.size}|${st.mtimeMs}`;
  const net = await models.get(`hypernet|${id}`, async () => ({ value: await loadHypernetwork(file, signal), bytes: 0 }));
  return { net, id };
}
