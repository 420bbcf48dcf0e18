/** Runs nodes on the calling thread: for the CLI's in-process mode and tests. */
import { SCHEMAS_BY_ID, type SchemaMap } from '../../nodes/schemas';
import { RUNNERS } from '../../nodes/runners';
import type { RunnerEntry } from '../../nodes/runner';
import type { LoomPaths } from '../config/paths';
import { executeWorkflow, NodeFailedError } from './execute';
import { JobFailure, type Executor } from './executor';
import { ModelCache } from './model-cache';
import { OutputCache } from './output-cache';
import { previewDataUrl } from './preview';

export const DEFAULT_MODEL_BUDGET = Number(process.env.LOOM_MODEL_CACHE_MB ?? 4096) * 1024 * 1024;

export function createInProcessExecutor(
  paths: LoomPaths,
  runners: Readonly<Record<string, RunnerEntry>> = RUNNERS,
  schemas: SchemaMap = SCHEMAS_BY_ID,
): Executor {
  const cache = new OutputCache();
  const models = new ModelCache(DEFAULT_MODEL_BUDGET);
  return {
    async run(job, emit, signal) {
      try {
        return await executeWorkflow({
          jobId: job.id, workflow: job.workflow, schemas, runners, cache, models, paths, signal, emit, encodePreview: previewDataUrl,
        });
      } catch (e) {
        if (signal.aborted) throw e;
        if (e instanceof NodeFailedError) throw new JobFailure(e.message, e.nodeId);
        throw new JobFailure(e instanceof Error ? e.message : String(e));
      }
    },
    async close() {
      models.clear();
    },
  };
}
