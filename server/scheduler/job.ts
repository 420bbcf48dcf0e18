/** A job as the queue, history and API see it. */
import { z } from 'zod';
import { parseWorkflow } from '../../nodes/workflow/migrate';
import type { Workflow } from '../../nodes/workflow/schema';

export const JOB_STATUSES = ['queued', 'running', 'finished', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const outputFileSchema = z.object({
  path: z.string(),
  kind: z.enum(['image', 'latent', 'checkpoint', 'preview']),
  nodeId: z.string(),
});
export const jobErrorSchema = z.object({ message: z.string(), nodeId: z.string().optional(), input: z.string().optional() });

/** Stored workflows of any earlier version load migrated (a journal written before v2 keeps its history). */
const storedWorkflow = z.unknown().transform((v, ctx): Workflow => {
  try {
    return parseWorkflow(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : String(e) });
    return z.NEVER;
  }
});

export const jobRecordSchema = z.object({
  id: z.string(),
  status: z.enum(JOB_STATUSES),
  /** the exact workflow that ran, overrides applied */
  workflow: storedWorkflow,
  createdAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  files: z.array(outputFileSchema).default([]),
  error: jobErrorSchema.optional(),
  /** times a worker started running this job (0 while never started); a job whose worker died is retried up to a cap */
  attempts: z.number().int().default(0),
  /** the worker that ran (or runs) it */
  worker: z.string().optional(),
  /** how it was placed: on a worker that already held its checkpoint (hit), one that had to load it (miss), or no checkpoint (none) */
  placement: z.enum(['hit', 'miss', 'none']).optional(),
});
export type JobRecord = z.infer<typeof jobRecordSchema>;
