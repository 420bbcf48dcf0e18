/** Helpers the benchmark sections share (this folder is not a section: bench/run.ts only lists bench/*.ts). */
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { F32Tensor } from '../../server/runtime/models';

/** Result of a section: named figures plus the lines it printed, for docs/benchmarks.md. */
export interface Figures {
  figures: Record<string, number>;
  lines: string[];
  /** records a figure and prints "what: value" */
  note(key: string, v: number, what: string): void;
}

export function figureLog(): Figures {
  const figures: Record<string, number> = {};
  const lines: string[] = [];
  return {
    figures,
    lines,
    note(key, v, what) {
      figures[key] = v;
      // GPU step times are milliseconds: keep four significant digits below 1
      const line = `${what}: ${Math.abs(v) < 1 && v !== 0 ? v.toPrecision(4) : v.toFixed(2)}`;
      lines.push(line);
      console.log(line);
    },
  };
}

/** [value, seconds] */
export async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await f();
  return [v, (performance.now() - t0) / 1000];
}

/** Deterministic, cheap input values (no RNG state to seed). */
export function benchNoise(shape: number[]): F32Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { data: Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 0.8), shape };
}

/** `npx tsx bench/<section>.ts` runs the section on its own; exits 1 on failure. */
export function runIfMain(metaUrl: string, run: () => Promise<unknown>): void {
  if (metaUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  run().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

/** Resident memory split (GiB, Linux): anonymous (heap, arenas) vs file-backed (mapped weights the OS can drop). */
export function rssSplit(): { anon: number; file: number } | undefined {
  if (!existsSync('/proc/self/status')) return undefined;
  const s = readFileSync('/proc/self/status', 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) / 2 ** 20;
  return { anon: kb('RssAnon'), file: kb('RssFile') };
}
