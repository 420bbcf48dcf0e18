/**
 * Runs nodes in a worker thread so the HTTP server keeps answering in milliseconds. A worker that
 * dies (native crash, out of memory) rejects its job with WorkerDiedError (the queue retries it up to
 * a cap) and is replaced.
 */
import { Worker } from 'node:worker_threads';
import type { OutputFile } from '../../nodes/node';
import type { LoomPaths } from '../config/paths';
import type { NodeEventBody } from './events';
import { JobFailure, WorkerDiedError, type ExecuteJob, type Executor } from './executor';
import type { FromWorker, ToWorker } from './worker-protocol';

interface Pending {
  emit(e: NodeEventBody): void;
  resolve(r: { files: OutputFile[] }): void;
  reject(e: Error): void;
}

export function createWorkerExecutor(paths: LoomPaths): Executor {
  let worker: Worker | null = null;
  const pending = new Map<string, Pending>();

  const spawn = (): Worker => {
    const w = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: { paths } });
    w.on('message', (m: FromWorker) => {
      if (m.type === 'event') {
        pending.get(m.event.jobId)?.emit(m.event);
        return;
      }
      const p = pending.get(m.jobId);
      if (!p) return;
      pending.delete(m.jobId);
      if (m.type === 'done') p.resolve({ files: m.files });
      else if (m.cancelled) p.reject(new DOMException('Job cancelled', 'AbortError'));
      else p.reject(new JobFailure(m.message, m.nodeId, m.input));
    });
    const die = (why: string) => {
      if (worker === w) worker = null;
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(new WorkerDiedError(`Execution worker stopped: ${why}`));
      }
    };
    w.on('error', (e) => die(e.message));
    w.on('exit', (code) => die(`exit code ${code}`));
    return w;
  };
  const post = (m: ToWorker) => {
    worker ??= spawn();
    worker.postMessage(m);
  };

  return {
    run(job: ExecuteJob, emit, signal) {
      return new Promise((resolve, reject) => {
        pending.set(job.id, { emit, resolve, reject });
        signal.addEventListener('abort', () => post({ type: 'cancel', jobId: job.id }), { once: true });
        post({ type: 'run', job });
      });
    },
    async free(what) {
      // no thread yet: nothing is loaded
      if (worker) worker.postMessage({ type: 'free', ...what } satisfies ToWorker);
    },
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}
