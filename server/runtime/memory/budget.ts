/**
 * How much memory one job step may use. LOOM_MAX_JOB_MEMORY (GiB) when set; else, on the CPU provider, what the
 * OS says is available (within the cgroup limit, if any). On a GPU provider nothing here knows the device's free
 * memory, so there is no budget unless LOOM_MAX_JOB_MEMORY sets one; an allocation failure then falls back as
 * ComfyUI does (tiles for the VAE).
 */
import os from 'node:os';
import type { Provider } from '../onnx/session';

export const MEMORY_ENV = 'LOOM_MAX_JOB_MEMORY';

export class MemoryLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MemoryLimitError';
  }
}

/** Bytes from LOOM_MAX_JOB_MEMORY (GiB, e.g. "12" or "0.5"); undefined when unset; a bad value names the variable. */
export function configuredBudget(env: Readonly<Record<string, string | undefined>> = process.env): number | undefined {
  const raw = env[MEMORY_ENV]?.trim();
  if (!raw) return undefined;
  const gib = Number(raw);
  if (!Number.isFinite(gib) || gib <= 0) throw new MemoryLimitError(`${MEMORY_ENV}=${JSON.stringify(raw)}: expected a positive number of GiB`);
  return gib * 2 ** 30;
}

export function memoryBudget(device: Provider, env: Readonly<Record<string, string | undefined>> = process.env): number {
  const set = configuredBudget(env);
  if (set !== undefined) return set;
  if (device !== 'cpu') return Number.POSITIVE_INFINITY;
  const free = os.freemem();
  // a container's limit counts what this process already holds
  const limit = process.constrainedMemory?.() ?? 0;
  const inCgroup = limit > 0 && limit < 2 ** 60 ? limit - process.memoryUsage.rss() : Number.POSITIVE_INFINITY;
  return Math.max(0, Math.min(free, inCgroup));
}

export const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** onnxruntime's and V8's ways of saying an allocation failed. */
export function isOutOfMemory(e: unknown): boolean {
  const m = e instanceof Error ? e.message : String(e);
  return /out of memory|failed to allocate|bad_alloc|Array buffer allocation failed|Invalid typed array length/i.test(m);
}
