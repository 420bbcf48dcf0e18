import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Streaming sha256 of a whole file, lowercase hex. */
export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 4 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The short hash model sites show (A1111 "AutoV2"): the first 10 hex digits of the file's sha256. */
export function autoV2(sha256: string): string {
  return sha256.slice(0, 10).toUpperCase();
}

export function defaultHashCacheFile(): string {
  const base = process.env.LOOM_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'latentloom');
  return path.join(base, 'hashes.json');
}

type CacheEntry = { size: number; mtimeMs: number; sha256: string };

/** sha256 with an on-disk cache keyed by absolute path + size + mtime, so a big file is hashed once. */
export async function cachedSha256(file: string, cacheFile = defaultHashCacheFile()): Promise<string> {
  const abs = path.resolve(file);
  const st = await stat(abs);
  const cache = await readCache(cacheFile);
  const hit = cache[abs];
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.sha256;
  const sha256 = await sha256File(abs);
  // re-read so concurrent writers lose as little as possible
  const fresh = await readCache(cacheFile);
  fresh[abs] = { size: st.size, mtimeMs: st.mtimeMs, sha256 };
  await mkdir(path.dirname(cacheFile), { recursive: true });
  const tmp = `${cacheFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(fresh));
  await rename(tmp, cacheFile);
  return sha256;
}

async function readCache(cacheFile: string): Promise<Record<string, CacheEntry>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(cacheFile, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    const out: Record<string, CacheEntry> = {};
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      const e = v as Partial<CacheEntry>;
      if (typeof e?.size === 'number' && typeof e.mtimeMs === 'number' && typeof e.sha256 === 'string' && /^[0-9a-f]{64}$/.test(e.sha256)) out[k] = e as CacheEntry;
    }
    return out;
  } catch {
    // a missing or corrupt cache only costs a re-hash
    return {};
  }
}

/** Cheap identity of a file's current contents (no hashing): for weight-cache keys. */
export async function fileIdentity(file: string): Promise<string> {
  const st = await stat(file);
  return createHash('sha256').update(`${path.resolve(file)}\0${st.size}\0${st.mtimeMs}`).digest('hex').slice(0, 16);
}
