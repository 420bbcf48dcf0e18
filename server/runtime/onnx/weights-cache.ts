import { createHash, randomBytes } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { link, mkdir, open, readdir, rename, rm, stat, unlink, utimes, realpath } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { WeightProvider } from '../checkpoint/weights';
import { float32ToF16 } from '../io/dtype';
import { numel } from '../io/tensor';
import type { ExternalLocation, WeightUse } from './builder';
import { OPTIMIZED_PREFIX } from './optimized-models';

export interface WeightCacheOptions {
  /** default: LOOM_CACHE_DIR, else `.loom/weight-cache` under the working directory */
  dir?: string;
  /** materialised bytes kept before least-recently-used eviction; default LOOM_WEIGHT_CACHE_MAX_BYTES or 32 GiB */
  maxBytes?: number;
}

/** The folder a session resolves external data against, and each initializer's place in it. */
export interface BoundWeights {
  folder: string;
  locations: Map<string, ExternalLocation>;
  /** hash of every bound tensor's identity and transform: part of the session cache key */
  identity: string;
  /** how many initializers point into the user's own file, and how many into materialised cache files */
  direct: number;
  materialised: number;
}

/** A binding whose materialised files may not be written yet (see WeightCache.plan / complete). */
export interface WeightPlan extends BoundWeights {
  readonly pending: readonly { file: string; use: WeightUse }[];
}

/** materialised file suffix by initializer type */
const SUFFIX = { float32: '.f32', float16: '.f16' } as const;
const BYTES = { float32: 4, float16: 2 } as const;
/** the stored dtype an initializer of this type can point at directly */
const DIRECT_DTYPE = { float32: 'F32', float16: 'F16' } as const;
const CHUNK_ROWS = 256;

/** Bytes of one initializer as the graph stores it. */
export function bytesOfUse(use: WeightUse): number {
  return numel(use.dims) * BYTES[use.dtype];
}
const TILE = 64;
const PARALLEL = 3;

export function defaultCacheDir(): string {
  return process.env.LOOM_CACHE_DIR ?? path.resolve('.loom', 'weight-cache');
}

/**
 * Binds graph initializers to bytes on disk, by reference:
 * - a tensor used as stored whose dtype is the graph's (fp32 in fp32 graphs, fp16 in fp16 ones) is read
 *   straight from the user's file, hard-linked into the cache folder (onnxruntime only accepts relative
 *   locations inside the folder; hard links pass its check);
 * - anything else (other dtypes, patched weights, pre-transposed MatMul weights) is converted once into a
 *   content-addressed file `<sha256(identity|transform|dims|dtype)>.f32|.f16`, reused across runs and restarts,
 *   written to a temp name and renamed, and evicted least-recently-used (mtime, touched on use) past maxBytes.
 * The work is async and yields to the event loop between row chunks; a server should still call it
 * from its worker thread, since the conversion itself is CPU-bound.
 */
export class WeightCache {
  readonly dir: string;
  readonly maxBytes: number;

  constructor(opts: WeightCacheOptions = {}) {
    this.dir = path.resolve(opts.dir ?? defaultCacheDir());
    this.maxBytes = opts.maxBytes ?? Number(process.env.LOOM_WEIGHT_CACHE_MAX_BYTES ?? 32 * 2 ** 30);
  }

  /** plan() then complete(): every initializer's bytes on disk. */
  async bind(uses: readonly WeightUse[], weights: WeightProvider, component: string): Promise<BoundWeights> {
    const plan = await this.plan(uses, weights, component);
    await this.complete(plan, weights);
    return plan;
  }

  /**
   * Where every initializer will live, without writing any materialised file: enough to build the model
   * bytes (and so to find a saved optimised model that needs none of them). Source files are hard-linked.
   */
  async plan(uses: readonly WeightUse[], weights: WeightProvider, component: string): Promise<WeightPlan> {
    await mkdir(this.dir, { recursive: true });
    const locations = new Map<string, ExternalLocation>();
    const linked = new Map<string, string>();
    const pending: { file: string; use: WeightUse }[] = [];
    const ident = createHash('sha256');
    let direct = 0;
    for (const use of uses) {
      if (!weights.has(use.key)) throw new Error(`${component}: missing weight ${use.key}`);
      const info = weights.info(use.key);
      if (numel(info.shape) !== numel(use.dims)) {
        throw new Error(
          `${component}: weight ${use.key} has shape [${info.shape.join(',')}], the graph needs ${numel(use.dims)} elements [${use.dims.join(',')}]`,
        );
      }
      // fp32 ids keep their pre-fp16 form so existing caches stay valid
      const id = `${weights.identity(use.key)}|${use.transform}|${use.dims.join(',')}${use.dtype === 'float32' ? '' : `|${use.dtype}`}`;
      ident.update(id).update('\n');
      const range = weights.fileRange(use.key);
      if (use.transform === 'none' && info.dtype === DIRECT_DTYPE[use.dtype] && range && range.length === bytesOfUse(use)) {
        let location = linked.get(range.path);
        if (location === undefined) location = await this.linkSource(range.path);
        if (location) {
          linked.set(range.path, location);
          locations.set(use.onnxName, { location, offset: range.offset, length: range.length });
          direct++;
          continue;
        }
      }
      const file = createHash('sha256').update(id).digest('hex') + SUFFIX[use.dtype];
      locations.set(use.onnxName, { location: file, offset: 0, length: bytesOfUse(use) });
      pending.push({ file, use });
    }
    return { folder: this.dir, locations, identity: ident.digest('hex'), direct, materialised: pending.length, pending };
  }

  /** Writes (or touches) the plan's materialised files, a few tensors at a time, then evicts past the limit. */
  async complete(plan: WeightPlan, weights: WeightProvider): Promise<void> {
    // one tensor's disk reads and writes overlap another's conversion
    const inflight = new Set<Promise<unknown>>();
    for (const { file, use } of plan.pending) {
      const job = this.materialise(file, use, weights);
      job.catch(() => undefined); // a failure surfaces through the race/all below, even after an earlier one threw
      inflight.add(job);
      void job.then(
        () => inflight.delete(job),
        () => undefined,
      );
      while (inflight.size >= PARALLEL) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    await this.evict(new Set(plan.pending.map((p) => p.file)));
  }

  /** Hard link of the user's file inside the cache folder; '' when the file system refuses (then we materialise). */
  private async linkSource(source: string): Promise<string> {
    const real = await realpath(source);
    const st = await stat(real);
    const name = `src-${createHash('sha256').update(`${real}|${st.dev}|${st.ino}|${st.size}|${st.mtimeMs}`).digest('hex').slice(0, 32)}.safetensors`;
    const target = path.join(this.dir, name);
    try {
      const existing = await stat(target);
      if (existing.ino === st.ino && existing.dev === st.dev) return name;
      await unlink(target);
    } catch {
      // no link yet
    }
    try {
      await link(real, target);
      return name;
    } catch {
      return '';
    }
  }

  private async materialise(file: string, use: WeightUse, weights: WeightProvider): Promise<number> {
    const target = path.join(this.dir, file);
    const bytes = bytesOfUse(use);
    const encode = (v: Float32Array): Uint8Array => {
      const out = use.dtype === 'float16' ? float32ToF16(v) : v;
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    };
    try {
      const st = await stat(target);
      if (st.size === bytes) {
        const now = new Date();
        await utimes(target, now, now);
        return bytes;
      }
    } catch {
      // not cached yet
    }
    const values = await weights.float32(use.key);
    // unique per writer: two graphs built at once (a GLIGEN variant beside the plain UNet) may write the same tensor
    const tmp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const fh = await open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_TRUNC, 0o644);
    try {
      if (use.transform === 'transpose') {
        const [cols, rows] = use.dims; // stored [rows, cols] → written [cols, rows]
        const chunk = new Float32Array(Math.min(CHUNK_ROWS, cols) * rows);
        for (let c0 = 0; c0 < cols; c0 += CHUNK_ROWS) {
          const c1 = Math.min(cols, c0 + CHUNK_ROWS);
          // 64-row tiles: the tile's source rows stay in cache while each column is gathered
          for (let r0 = 0; r0 < rows; r0 += TILE) {
            const r1 = Math.min(rows, r0 + TILE);
            for (let c = c0; c < c1; c++) {
              const base = (c - c0) * rows;
              for (let r = r0; r < r1; r++) chunk[base + r] = values[r * cols + c];
            }
          }
          const n = (c1 - c0) * rows;
          await fh.write(encode(chunk.subarray(0, n)));
          await yieldToLoop();
        }
      } else {
        await fh.write(encode(values));
      }
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
    return bytes;
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const f of await readdir(this.dir)) {
      const age = f.endsWith('.tmp') ? STALE_TMP_MS : f.endsWith('.seen') ? STALE_MARKER_MS : 0;
      if (!age) continue;
      const st = await stat(path.join(this.dir, f)).catch(() => undefined);
      if (st && now - st.mtimeMs > age) await rm(path.join(this.dir, f), { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /**
   * Least-recently-used eviction of materialised files and saved optimised models (optimized-models.ts),
   * never touching the files just bound.
   */
  private async evict(keep: ReadonlySet<string>): Promise<void> {
    await this.sweep();
    const names = await readdir(this.dir);
    const files = names.filter((f) => f.endsWith(SUFFIX.float32) || f.endsWith(SUFFIX.float16));
    const saved = names.filter((f) => f.startsWith(OPTIMIZED_PREFIX) && !f.includes('.'));
    const entries = [
      ...(await Promise.all(files.map(async (f) => ({ f, dir: false, ...(await sizeAndAge(path.join(this.dir, f), false)) })))),
      ...(await Promise.all(saved.map(async (f) => ({ f, dir: true, ...(await sizeAndAge(path.join(this.dir, f), true)) })))),
    ];
    let total = entries.reduce((a, e) => a + e.size, 0);
    if (total <= this.maxBytes) return;
    entries.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const e of entries) {
      if (total <= this.maxBytes) break;
      if (keep.has(e.f)) continue;
      await rm(path.join(this.dir, e.f), { recursive: e.dir, force: true }).catch(() => undefined);
      total -= e.size;
    }
  }
}

/** Leftovers of a crashed process (a half-written weight file or saved model), and old first-build markers. */
const STALE_TMP_MS = 60 * 60 * 1000;
const STALE_MARKER_MS = 30 * 24 * 60 * 60 * 1000;

/** A file's size, or a folder's total; mtime of the entry itself (folders are touched when reloaded). */
async function sizeAndAge(p: string, dir: boolean): Promise<{ size: number; mtimeMs: number }> {
  const st = await stat(p).catch(() => undefined);
  if (!st) return { size: 0, mtimeMs: 0 };
  if (!dir) return { size: st.size, mtimeMs: st.mtimeMs };
  const inner = await readdir(p).catch(() => [] as string[]);
  const sizes = await Promise.all(
    inner.map((f) =>
      stat(path.join(p, f)).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  return { size: sizes.reduce((a, b) => a + b, 0), mtimeMs: st.mtimeMs };
}
