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

// hashes being computed in this process, by file identity: a second caller waits instead of reading the bytes again
const inFlight = new Map<string, Promise<string>>();
const identityKey = (abs: string, st: { size: number; mtimeMs: number }) => `${abs}\0${st.size}\0${st.mtimeMs}`;

/** sha256 with an on-disk cache keyed by absolute path + size + mtime, so a big file is hashed once. */
export async function cachedSha256(file: string, cacheFile = defaultHashCacheFile()): Promise<string> {
  const abs = path.resolve(file);
  const st = await stat(abs);
  const hit = (await readCache(cacheFile))[abs];
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.sha256;
  const key = identityKey(abs, st);
  const running = inFlight.get(key);
  if (running) return running;
  return shareHash(abs, st, cacheFile, sha256File(abs));
}

/** The cached sha256 when the file is unchanged since it was hashed (or is being hashed now), without reading it. */
export async function knownSha256(file: string, cacheFile = defaultHashCacheFile()): Promise<string | Promise<string> | undefined> {
  const abs = path.resolve(file);
  const st = await stat(abs);
  const hit = (await readCache(cacheFile))[abs];
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.sha256;
  return inFlight.get(identityKey(abs, st));
}

/**
 * Registers a hash being computed elsewhere (streamed through a merge or a save) for the file as it is now:
 * cachedSha256 callers meanwhile wait for it, and the result goes into the on-disk cache.
 */
export function shareHash(file: string, st: { size: number; mtimeMs: number }, cacheFile: string, work: Promise<string>): Promise<string> {
  const abs = path.resolve(file);
  const key = identityKey(abs, st);
  const done = work.then(async (sha256) => {
    await recordSha256(abs, st, sha256, cacheFile);
    return sha256;
  });
  inFlight.set(key, done);
  const clear = () => {
    if (inFlight.get(key) === done) inFlight.delete(key);
  };
  done.then(clear, clear);
  return done;
}

/** Stores a hash computed for `file` at the identity `st` it had while its bytes were read. */
export function recordSha256(file: string, st: { size: number; mtimeMs: number }, sha256: string, cacheFile = defaultHashCacheFile()): Promise<void> {
  const abs = path.resolve(file);
  // one update at a time in this process (each re-reads the file), so two hashes finishing together both stay
  const update = cacheWrites.then(async () => {
    const fresh = await readCache(cacheFile);
    fresh[abs] = { size: st.size, mtimeMs: st.mtimeMs, sha256 };
    await mkdir(path.dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(fresh));
    await rename(tmp, cacheFile);
  });
  cacheWrites = update.catch(() => undefined);
  return update;
}
let cacheWrites: Promise<unknown> = Promise.resolve();

async function readCache(cacheFile: string): Promise<Record<string, CacheEntry>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(cacheFile, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    const out: Record<string, CacheEntry> = {};
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      const e = v as Partial<CacheEntry>;
      if (typeof e?.size === 'number' && typeof e.mtimeMs === 'number' && typeof e.sha256 === 'string' && /^[0-9a-f]{64}$/.test(e.sha256))
        out[k] = e as CacheEntry;
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
  return createHash('sha256')
    .update(`${path.resolve(file)}\0${st.size}\0${st.mtimeMs}`)
    .digest('hex')
    .slice(0, 16);
}
