/**
 * The REST API: plain HTTP routes (trpc-to-openapi) over the same tRPC procedures the editor calls. Each route here
 * validates its input with zod, calls the editor's procedure through a server-side caller, and declares its output
 * schema, so the OpenAPI document (/api/openapi.json) says exactly what each route takes and returns.
 */
import { z } from 'zod';
import { MODEL_FOLDERS } from '../../nodes/types';
import { appRouter } from '../api/root';
import { overridesSchema } from '../api/routers/workflows';
import { JOB_STATUSES } from '../scheduler/job';
import { publicProcedure, router } from '../trpc';

const caller = (ctx: Parameters<typeof appRouter.createCaller>[0]) => appRouter.createCaller(ctx);

const TAG_JOBS = ['jobs'];
const TAG_WORKFLOWS = ['workflows'];
const TAG_FILES = ['models and files'];

const outputFile = z.object({
  path: z.string().describe('relative to output/: download it from /outputs/<path>'),
  kind: z.enum(['image', 'latent', 'checkpoint', 'preview']),
  nodeId: z.string(),
});
const jobError = z.object({ message: z.string(), nodeId: z.string().optional(), input: z.string().optional() });
const jobFields = {
  id: z.string(),
  status: z.enum(JOB_STATUSES),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  files: z.array(outputFile),
  error: jobError.optional(),
  attempts: z.number().int(),
  worker: z.string().optional(),
  placement: z.enum(['hit', 'miss', 'none']).optional(),
};
const jobSummary = z.object({ ...jobFields, title: z.string().nullable(), nodeCount: z.number().int() });
const workflowJson = z.record(z.string(), z.unknown()).describe('a Latent Loom v2 workflow (nodes/workflow/schema.ts)');
const job = z.object({ ...jobFields, workflow: workflowJson });
const validationError = z.object({
  code: z.string(),
  nodeId: z.string().nullable(),
  input: z.string().optional(),
  message: z.string(),
  suggestions: z.array(z.string()).optional(),
});
const enqueued = z.object({ id: z.string(), job: jobSummary, warnings: z.array(z.string()) });
const libraryName = z.string().min(1).max(120).describe("a saved workflow's name (file name in workflows/, without .json)");
const anyWorkflow = z.unknown().describe('a workflow in any accepted format: Latent Loom v2 (or v1), ComfyUI UI or ComfyUI API (prompt)');
const overrides = overridesSchema.optional().describe('widget values by "node.widget", e.g. {"sampler.seed": 7, "pos.text": "a cat"}');

export const restRouter = router({
  enqueue: publicProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/jobs',
        tags: TAG_JOBS,
        summary: 'Queue a workflow',
        description: 'Validates and queues a workflow; answered once the job is durable. A 400 lists every problem in data.validationErrors.',
      },
    })
    .input(z.object({ workflow: anyWorkflow, overrides }))
    .output(enqueued)
    .mutation(({ ctx, input }) => caller(ctx).jobs.enqueue(input)),
  run: publicProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/workflows/{name}/run',
        tags: TAG_WORKFLOWS,
        summary: 'Queue a saved workflow',
        description: 'Loads a workflow from the library (workflows/) and queues it with the given overrides.',
      },
    })
    .input(z.object({ name: libraryName, overrides }))
    .output(enqueued)
    .mutation(async ({ ctx, input }) => {
      const workflow = await caller(ctx).workflows.library.load({ name: input.name });
      return caller(ctx).jobs.enqueue({ workflow, overrides: input.overrides });
    }),
  list: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/jobs',
        tags: TAG_JOBS,
        summary: 'List jobs (queue and history)',
        description: 'Newest first; page with the returned nextCursor.',
      },
    })
    .input(
      z.object({
        status: z.enum(JOB_STATUSES).optional(),
        workflowTitle: z.string().max(200).optional(),
        cursor: z.string().regex(/^\d+$/).optional(),
        limit: z.coerce.number().int().min(1).max(200).optional(),
      }),
    )
    .output(z.object({ jobs: z.array(jobSummary), nextCursor: z.string().nullable() }))
    .query(({ ctx, input }) => caller(ctx).jobs.history(input)),
  get: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/jobs/{id}',
        tags: TAG_JOBS,
        summary: 'A job, with its workflow and output files',
        description: 'Poll this until status is finished, failed or cancelled; download files[].path from /outputs/<path>.',
      },
    })
    .input(z.object({ id: z.string().min(1).max(200) }))
    .output(job)
    .query(({ ctx, input }) => caller(ctx).jobs.get(input)),
  cancel: publicProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/jobs/{id}/cancel',
        tags: TAG_JOBS,
        summary: 'Cancel a job',
        description: 'A queued job is removed; a running one stops within one sampler step.',
      },
    })
    .input(z.object({ id: z.string().min(1).max(200) }))
    .output(z.object({ cancelled: z.boolean() }))
    .mutation(({ ctx, input }) => caller(ctx).jobs.cancel(input)),
  workers: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/workers', tags: TAG_JOBS, summary: 'Live workers and the checkpoints they hold' } })
    .input(z.object({}))
    .output(
      z.array(
        z.object({
          id: z.string(),
          host: z.string(),
          pid: z.number(),
          device: z.string(),
          freeMemory: z.number(),
          models: z.array(z.string()),
          startedAt: z.string(),
          heartbeatAt: z.string(),
          runningJob: z.string().nullable(),
        }),
      ),
    )
    .query(({ ctx }) => caller(ctx).jobs.workers()),
  library: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/workflows', tags: TAG_WORKFLOWS, summary: 'Saved workflows' } })
    .input(z.object({}))
    .output(
      z.array(
        z.object({ name: z.string(), title: z.string().nullable(), nodeCount: z.number().int(), bytes: z.number().int(), modified: z.string() }),
      ),
    )
    .query(({ ctx }) => caller(ctx).workflows.library.list()),
  load: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/workflows/{name}', tags: TAG_WORKFLOWS, summary: 'A saved workflow' } })
    .input(z.object({ name: libraryName }))
    .output(workflowJson)
    .query(({ ctx, input }) => caller(ctx).workflows.library.load(input)),
  save: publicProcedure
    .meta({
      openapi: {
        method: 'PUT',
        path: '/workflows/{name}',
        tags: TAG_WORKFLOWS,
        summary: 'Save a workflow to the library',
        description: 'Any accepted format; stored as a Latent Loom v2 file.',
      },
    })
    .input(z.object({ name: libraryName, workflow: anyWorkflow }))
    .output(z.object({ name: z.string() }))
    .mutation(({ ctx, input }) => caller(ctx).workflows.library.save(input)),
  remove: publicProcedure
    .meta({ openapi: { method: 'DELETE', path: '/workflows/{name}', tags: TAG_WORKFLOWS, summary: 'Delete a saved workflow' } })
    .input(z.object({ name: libraryName }))
    .output(z.object({ name: z.string() }))
    .mutation(({ ctx, input }) => caller(ctx).workflows.library.delete(input)),
  validate: publicProcedure
    .meta({ openapi: { method: 'POST', path: '/workflows/validate', tags: TAG_WORKFLOWS, summary: 'Validate a workflow without queueing it' } })
    .input(z.object({ workflow: anyWorkflow, overrides }))
    .output(z.object({ ok: z.boolean(), errors: z.array(validationError), warnings: z.array(z.string()), workflow: workflowJson.nullable() }))
    .mutation(({ ctx, input }) => caller(ctx).workflows.validate(input)),
  nodes: publicProcedure
    .meta({
      openapi: { method: 'GET', path: '/nodes', tags: TAG_WORKFLOWS, summary: 'Every node type (ComfyUI class ids, inputs, widgets, outputs)' },
    })
    .input(z.object({}))
    .output(z.array(z.record(z.string(), z.unknown())))
    .query(async ({ ctx }) => (await caller(ctx).nodes.list()).map((s) => ({ ...s }))),
  models: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/models', tags: TAG_FILES, summary: 'Model files by folder' } })
    .input(z.object({ folder: z.enum(MODEL_FOLDERS).optional() }))
    .output(
      z.record(z.string(), z.array(z.object({ name: z.string(), bytes: z.number(), sha256: z.string().nullable(), family: z.string().nullable() }))),
    )
    .query(({ ctx, input }) => caller(ctx).models.list(input)),
  hash: publicProcedure
    .meta({ openapi: { method: 'POST', path: '/models/hash', tags: TAG_FILES, summary: 'SHA-256 of a model file (computed once, then cached)' } })
    .input(z.object({ folder: z.enum(MODEL_FOLDERS), name: z.string().min(1) }))
    .output(z.object({ sha256: z.string() }))
    .mutation(({ ctx, input }) => caller(ctx).models.hash(input)),
  inputs: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/inputs',
        tags: TAG_FILES,
        summary: 'Files in input/',
        description: 'Upload with PUT /api/inputs/<name> (the file as the body).',
      },
    })
    .input(
      z.object({
        extensions: z
          .string()
          .regex(/^(\.\w+)(,\.\w+)*$/)
          .optional()
          .describe('comma-separated, e.g. .png,.jpg'),
      }),
    )
    .output(z.array(z.object({ name: z.string(), bytes: z.number(), modified: z.string() })))
    .query(({ ctx, input }) => caller(ctx).inputs.list(input.extensions ? { extensions: input.extensions.split(',') } : undefined)),
});
