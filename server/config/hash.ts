/**
 * Model hashes: hashing itself (and its on-disk cache) is the runtime's cachedSha256; this adds a
 * synchronous view of hashes already known, for listings, and lookup of a renamed file by hash.
 */
import fs from 'node:fs';
import type { ModelFolder } from '../../nodes/types';
import { cachedSha256 } from '../runtime/checkpoint/hash';
import { listModelEntries } from './model-list';
import type { LoomPaths } from './paths';

const known = new Map<string, { key: string; sha256: string }>();
const identity = (st: fs.Stats) => `${st.size}:${st.mtimeMs}`;

export async function sha256File(file: string): Promise<string> {
  const sha256 = await cachedSha256(file);
  known.set(file, { key: identity(fs.statSync(file)), sha256 });
  return sha256;
}

/** Hash known without reading the file (null when not hashed yet in this process). */
export function cachedSha256Sync(file: string): string | null {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  const hit = known.get(file);
  return st && hit && hit.key === identity(st) ? hit.sha256 : null;
}

/** Finds a renamed/moved model by content hash inside its folder. */
export async function findModelBySha256(paths: LoomPaths, folder: ModelFolder, sha256: string): Promise<string | null> {
  for (const e of listModelEntries(paths, folder)) {
    if ((await sha256File(e.path)) === sha256) return e.name;
  }
  return null;
}
