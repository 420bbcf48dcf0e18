/**
 * Jobs as ComfyUI's queue items and history entries (execution.py PromptQueue). A queue item is
 * `[number, prompt_id, prompt, extra_data, outputs_to_execute]`; a history entry adds `outputs` (per output node, its
 * images as {filename, subfolder, type}), `status` ({status_str, completed, messages}) and `meta`. The prompt is the
 * job's workflow as ComfyUI's API format (what SaveImage embeds too). Pure: records in, JSON out.
 */
import type { SchemaMap } from '../../nodes/schemas';
import { toComfyApi, type ComfyApiPrompt } from '../../nodes/workflow/comfy/export';
import type { JobRecord } from '../scheduler/job';
import { outputNodeIds } from '../scheduler/graph';
import { uiOutputsByNode, type FileRef } from './files';
import { comfyMeta, queueNumber } from './meta';

export type QueueItem = [number, string, ComfyApiPrompt, Record<string, unknown>, string[]];

export type StatusMessage = [string, Record<string, unknown>];

export interface HistoryEntry {
  prompt: QueueItem;
  outputs: Record<string, { images?: FileRef[]; latents?: FileRef[] }>;
  status: { status_str: 'success' | 'error'; completed: boolean; messages: StatusMessage[] };
  meta: Record<string, { node_id: string; display_node: string; parent_node: null; real_node_id: string }>;
}

/** extra_data as ComfyUI keeps it: the client id, the PNG extras, the creation time. */
export function extraData(job: JobRecord): Record<string, unknown> {
  const meta = comfyMeta(job);
  return {
    ...(meta.extra_pnginfo ? { extra_pnginfo: meta.extra_pnginfo } : {}),
    ...(meta.client_id !== undefined ? { client_id: meta.client_id } : {}),
    create_time: meta.create_time ?? Date.parse(job.createdAt),
  };
}

export function queueItem(job: JobRecord, schemas: SchemaMap): QueueItem {
  return [queueNumber(job), job.id, toComfyApi(job.workflow, schemas), extraData(job), outputNodeIds(job.workflow, schemas)];
}

/** ComfyUI keeps only prompts that ran; a job cancelled before it started was deleted from the queue there. */
export const inHistory = (job: JobRecord): boolean =>
  job.status === 'finished' || job.status === 'failed' || (job.status === 'cancelled' && job.startedAt !== undefined);

const ms = (iso: string | undefined, fallback: number) => (iso ? Date.parse(iso) : fallback);

/**
 * A finished, failed or interrupted job as ComfyUI's history entry. `scrub` takes server paths out of failure messages.
 * The status messages are rebuilt from the record: execution_start, then execution_success / _error / _interrupted.
 */
export function historyEntry(job: JobRecord, schemas: SchemaMap, scrub: (s: string) => string = (s) => s): HistoryEntry {
  const started = ms(job.startedAt, Date.parse(job.createdAt));
  const ended = ms(job.finishedAt, started);
  const base = { prompt_id: job.id };
  const messages: StatusMessage[] = [['execution_start', { ...base, timestamp: started }]];
  const nodeType = (id: string | undefined) => (id ? (job.workflow.nodes[id]?.type ?? null) : null);
  if (job.status === 'finished') messages.push(['execution_success', { ...base, timestamp: ended }]);
  else if (job.status === 'cancelled')
    messages.push(['execution_interrupted', { ...base, node_id: null, node_type: null, executed: [], timestamp: ended }]);
  else {
    const nodeId = job.error?.nodeId ?? null;
    messages.push([
      'execution_error',
      {
        ...base,
        node_id: nodeId,
        node_type: nodeType(nodeId ?? undefined),
        executed: [],
        exception_message: scrub(job.error?.message ?? 'failed'),
        exception_type: 'RuntimeError',
        traceback: [],
        current_inputs: {},
        current_outputs: [],
        timestamp: ended,
      },
    ]);
  }
  const outputs = uiOutputsByNode(job.files);
  const meta: HistoryEntry['meta'] = {};
  for (const id of Object.keys(outputs)) meta[id] = { node_id: id, display_node: id, parent_node: null, real_node_id: id };
  const ok = job.status === 'finished';
  return { prompt: queueItem(job, schemas), outputs, status: { status_str: ok ? 'success' : 'error', completed: ok, messages }, meta };
}
