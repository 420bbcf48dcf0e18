/** Lazy sha256 of model files, cached by (path, size, mtime) so a file is hashed once per change. */
import fs from 'node:fs';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { ModelFolder } from '../../nodes/types';
import { listModelFiles, modelFolder, safeJoin, type LoomPaths } from './paths';

const cache = new Map<string, { key: string; sha256: string }>();

export async function sha256File(file: string): Promise<string> {
  const st = await fs.promises.stat(file);
  const key = `${st.size}:${st.mtimeMs}`;
  const hit = cache.get(file);
  if (hit && hit.key === key) return hit.sha256;
  const h = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), h);
  const sha256 = h.digest('hex');
  cache.set(file, { key, sha256 });
  return sha256;
}

/** Hash known without reading the file (null when not hashed yet). */
export function cachedSha256(file: string): string | null {
  try {
    const st = fs.statSync(file);
    const hit = cache.get(file);
    return hit && hit.key === `${st.size}:${st.mtimeMs}` ? hit.sha256 : null;
  } catch {
    return null;
  }
}

/** Finds a renamed/moved model by content hash inside its folder. */
export async function findModelBySha256(paths: LoomPaths, folder: ModelFolder, sha256: string): Promise<string | null> {
  for (const name of listModelFiles(paths, folder)) {
    const full = safeJoin(modelFolder(paths, folder), name);
    if (full && (await sha256File(full)) === sha256) return name;
  }
  return null;
}
