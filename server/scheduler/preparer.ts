/**
 * Prepares workflows for the engine: small ones inline, big ones (over INLINE_NODES) in one worker thread, so a
 * 50,000-node workflow being validated (or refused) never holds up the server thread. The worker starts on first
 * need, is replaced if it dies, and does not keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import type { SchemaMap } from '../../nodes/schemas';
import type { LoomPaths } from '../config/paths';
import type { Overrides } from './overrides';
import { prepareWorkflow, roughNodeCount, type Prepared } from './prepare';
import type { PrepareReply, PrepareRequest } from './prepare-protocol';

/** below this many nodes the thread hop (structured clone both ways) costs more than validating; LOOM_PREPARE_INLINE_NODES overrides (benchmarks compare) */
export const INLINE_NODES = Number(process.env.LOOM_PREPARE_INLINE_NODES ?? 300);

export interface PrepareOptions {
  /** false: a workflow with errors may come back as null (enqueue refuses it anyway; saves copying it back) */
  keepInvalid?: boolean;
}

export interface Preparer {
  prepare(input: unknown, overrides: Overrides, opts?: PrepareOptions): Promise<Prepared>;
  /** how many workflows went to the worker thread (tests and diagnostics) */
  readonly offThread: number;
  close(): Promise<void>;
}

export function createPreparer(schemas: SchemaMap, paths: LoomPaths, opts: { inlineNodes?: number } = {}): Preparer {
  const inlineNodes = opts.inlineNodes ?? INLINE_NODES;
  let worker: Worker | null = null;
  let nextId = 1;
  let offThread = 0;
  const pending = new Map<number, { resolve(p: Prepared): void; reject(e: Error): void }>();

  const spawn = (): Worker => {
    const w = new Worker(new URL('./prepare-entry.mjs', import.meta.url), { workerData: { schemas, paths } });
    w.unref();
    w.on('message', (m: PrepareReply) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.prepared);
      else p.reject(new Error(m.message));
    });
    const die = (why: string) => {
      if (worker === w) worker = null;
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(new Error(`The workflow could not be validated: the validation thread stopped (${why}).`));
      }
    };
    w.on('error', (e) => die(e.message));
    w.on('exit', (code) => die(`exit code ${code}`));
    return w;
  };

  return {
    prepare(input, overrides, popts = {}) {
      if (roughNodeCount(input) <= inlineNodes) return prepareWorkflow(input, overrides, schemas, paths);
      offThread++;
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        worker ??= spawn();
        try {
          worker.postMessage({ id, input, overrides, keepInvalid: popts.keepInvalid ?? true } satisfies PrepareRequest);
        } catch (e) {
          // not cloneable (a function, a symbol): only an in-process caller can send that
          pending.delete(id);
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    },
    get offThread() {
      return offThread;
    },
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}
