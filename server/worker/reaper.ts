/**
 * On a shared store every process (API or worker) looks for expired leases now and then: a job whose
 * worker died goes back to the queue (its job.queued event wakes the workers), or fails at the retry cap.
 */
import type { StoreHandle } from '../store/types';

/** a worker row silent for a day is forgotten (its jobs were requeued long before) */
const WORKER_ROW_TTL_MS = 24 * 3600 * 1000;

export function startReaper(handle: StoreHandle, opts: { leaseMs: number; retries: number; log?: (msg: string) => void }): () => void {
  let busy = false;
  const timer = setInterval(
    () => {
      if (busy) return;
      busy = true;
      // a requeued job's job.queued event wakes the workers
      handle.store
        .reapExpired({ maxRetries: opts.retries })
        .then(async (r) => {
          for (const id of r.failed) opts.log?.(`job ${id}: its worker died again; failed (retry limit ${opts.retries})`);
          await handle.store.pruneWorkers(WORKER_ROW_TTL_MS);
        })
        .catch(() => {})
        .finally(() => (busy = false)); // store down: the next tick tries again
    },
    Math.max(50, Math.floor(opts.leaseMs / 2)),
  );
  timer.unref();
  return () => clearInterval(timer);
}
