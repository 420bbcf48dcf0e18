/** Runs nodes on the calling thread: for the CLI's in-process mode, workers and tests. */
import { REGISTRY, type Registry } from '../../nodes/registry';
import type { LoomPaths } from '../config/paths';
import { ModelCache } from '../runtime/model-cache';
import { executeWorkflow, NodeFailedError } from './execute';
import { JobFailure, type Executor, type FreeRequest } from './executor';
import { OutputCache } from './output-cache';
import { previewDataUrl } from './preview';

export const DEFAULT_MODEL_BUDGET = Number(process.env.LOOM_MODEL_CACHE_MB ?? 4096) * 1024 * 1024;

export function createInProcessExecutor(paths: LoomPaths, registry: Registry = REGISTRY): Executor {
  const cache = new OutputCache();
  const models = new ModelCache(DEFAULT_MODEL_BUDGET);
  let running = 0;
  // a free asked for while a job runs waits for it (ComfyUI applies /free between prompts too)
  let pendingFree: FreeRequest | null = null;
  const applyFree = () => {
    if (!pendingFree || running > 0) return;
    if (pendingFree.outputs) cache.clear();
    models.clear();
    pendingFree = null;
  };
  return {
    async run(job, emit, signal) {
      running++;
      try {
        return await executeWorkflow({
          jobId: job.id,
          workflow: job.workflow,
          registry,
          cache,
          models,
          paths,
          signal,
          emit,
          encodePreview: previewDataUrl,
        });
      } catch (e) {
        if (signal.aborted) throw e;
        // the user gets one line; the log keeps the whole chain
        console.error(`job ${job.id} failed:`, e instanceof NodeFailedError && e.cause ? e.cause : e);
        if (e instanceof NodeFailedError) throw new JobFailure(e.message, e.nodeId, e.input);
        throw new JobFailure(e instanceof Error ? e.message : String(e));
      } finally {
        running--;
        applyFree();
      }
    },
    async free(what) {
      if (!what.models && !what.outputs) return;
      pendingFree = { models: what.models || (pendingFree?.models ?? false), outputs: what.outputs || (pendingFree?.outputs ?? false) };
      applyFree();
    },
    async close() {
      models.clear();
    },
  };
}
