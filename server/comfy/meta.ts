/**
 * What a job queued through the ComfyUI API keeps in its workflow's `meta.comfy`: the client to route its messages
 * to, its queue number, and the PNG extras the client sent (SaveImage writes them, nodes/_io/png-workflow.ts). Stored
 * with the job, so every API process sharing the store can route and report it.
 */
import { z } from 'zod';
import type { JobRecord } from '../scheduler/job';

export const comfyMetaSchema = z.object({
  client_id: z.string().optional(),
  number: z.number().optional(),
  extra_pnginfo: z.record(z.string(), z.unknown()).optional(),
  /** ms since the epoch, as ComfyUI's extra_data.create_time */
  create_time: z.number().optional(),
});
export type ComfyMeta = z.infer<typeof comfyMetaSchema>;

/** The ComfyUI bookkeeping of a job, or an empty one for jobs queued another way (the editor, the REST API). */
export function comfyMeta(job: Pick<JobRecord, 'workflow'>): ComfyMeta {
  const r = comfyMetaSchema.safeParse(job.workflow.meta?.comfy);
  return r.success ? r.data : {};
}

/** A queue number for jobs that have none: their creation time in ms, the scale ComfyUI-queued numbers are on too. */
export function queueNumber(job: Pick<JobRecord, 'workflow' | 'createdAt'>): number {
  return comfyMeta(job).number ?? Date.parse(job.createdAt);
}
