import { z } from 'zod';
import { TRPCError, tracked } from '@trpc/server';
import { WorkflowInvalidError } from '../../scheduler/errors';
import { JOB_STATUSES, type JobRecord } from '../../scheduler/job';
import { StoreFullError, StoreUnavailableError } from '../../store/errors';
import { publicProcedure, router } from '../../trpc';
import type { JobEvent } from '../../scheduler/events';
import type { LoomPaths } from '../../config/paths';
import { promptExcerpt } from '../job-label';
import { workflowTooLarge } from '../limits';
import { scrubPaths } from '../public-errors';
import { overridesSchema } from './workflows';

/** A job without its workflow: what lists need (prompt: the positive prompt it ran with, shortened). */
export type JobSummary = Omit<JobRecord, 'workflow'> & { title: string | null; nodeCount: number; prompt: string | null };
const summarize = ({ workflow, ...rest }: JobRecord): JobSummary => ({
  ...rest,
  title: workflow.meta?.title ?? null,
  nodeCount: Object.keys(workflow.nodes).length,
  prompt: promptExcerpt(workflow),
});

/** Failure messages come from the worker and can name server paths: clients get them scrubbed. */
function publicJob<T extends { error?: JobRecord['error'] }>(job: T, paths: LoomPaths): T {
  return job.error ? { ...job, error: { ...job.error, message: scrubPaths(job.error.message, paths) } } : job;
}
function publicEvent(e: JobEvent, paths: LoomPaths): JobEvent {
  if (e.type === 'job.failed') return { ...e, error: { ...e.error, message: scrubPaths(e.error.message, paths) } };
  if (e.type === 'node.warning') return { ...e, message: scrubPaths(e.message, paths) };
  return e;
}

/** Store failures become typed tRPC errors; the HTTP layer answers 507 for a full disk, 503 for a store that is down. */
async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof StoreFullError || e instanceof StoreUnavailableError)
      throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: e.message, cause: e });
    throw e;
  }
}

export const jobsRouter = router({
  /** Accepts a Latent Loom or ComfyUI workflow; errors carry data.validationErrors. Answered once the job is durable. */
  enqueue: publicProcedure.input(z.object({ workflow: z.unknown(), overrides: overridesSchema.optional() })).mutation(async ({ ctx, input }) =>
    storeCall(async () => {
      const tooLarge = workflowTooLarge(input.workflow, ctx.limits);
      if (tooLarge) throw new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: tooLarge });
      try {
        const { job, warnings } = await ctx.engine.enqueue(input.workflow, input.overrides);
        return { id: job.id, job: summarize(job), warnings: warnings.map((w) => scrubPaths(w, ctx.paths)) };
      } catch (e) {
        if (e instanceof WorkflowInvalidError) throw new TRPCError({ code: 'BAD_REQUEST', message: e.message, cause: e });
        throw e;
      }
    }),
  ),
  cancel: publicProcedure
    .input(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => storeCall(async () => ({ cancelled: await ctx.engine.cancel(input.id) }))),
  get: publicProcedure.input(z.object({ id: z.string() })).query(async ({ ctx, input }) => {
    const job = await storeCall(() => ctx.engine.get(input.id));
    if (!job) throw new TRPCError({ code: 'NOT_FOUND', message: `No job "${input.id}".` });
    return publicJob(job, ctx.paths);
  }),
  /** The newest jobs (summaries), optionally of one status. */
  list: publicProcedure
    .input(z.object({ status: z.enum(JOB_STATUSES).optional(), limit: z.number().int().min(1).max(1000).optional() }).optional())
    .query(async ({ ctx, input }) => (await storeCall(() => ctx.engine.list(input ?? {}))).jobs.map((j) => publicJob(summarize(j), ctx.paths))),
  /** History for the editor's panel: newest first, filter by status and/or workflow title, page with nextCursor. */
  history: publicProcedure
    .input(
      z
        .object({
          status: z.enum(JOB_STATUSES).optional(),
          workflowTitle: z.string().max(200).optional(),
          cursor: z.string().regex(/^\d+$/).nullish(),
          limit: z.number().int().min(1).max(200).optional(),
        })
        .optional(),
    )
    .query(async ({ ctx, input }) => {
      const page = await storeCall(() => ctx.engine.list(input ?? {}));
      return { jobs: page.jobs.map((j) => publicJob(summarize(j), ctx.paths)), nextCursor: page.nextCursor };
    }),
  /** Live workers, where they run and the checkpoints they hold. */
  workers: publicProcedure.query(({ ctx }) => storeCall(() => ctx.engine.workers())),
  /** Progress over SSE; reconnecting clients resume after lastEventId. Optional jobId filter. */
  events: publicProcedure
    .input(z.object({ lastEventId: z.string().regex(/^\d+$/).nullish(), jobId: z.string().optional() }).optional())
    .subscription(async function* ({ ctx, input, signal }) {
      const after = input?.lastEventId ? Number(input.lastEventId) : null;
      for await (const event of ctx.engine.events.subscribe(after, signal)) {
        if (input?.jobId && event.jobId !== input.jobId) continue;
        yield tracked(String(event.id), publicEvent(event, ctx.paths));
      }
    }),
});
