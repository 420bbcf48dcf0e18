import { createTRPCUntypedClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { z } from 'zod';
import { MODEL_FOLDERS, type ModelFolder, type NodeSchema } from '@/nodes/schemas';
import type { Workflow } from './workflow';

/**
 * The editor's only door to the engine. Every answer is parsed with zod here, so components see
 * typed data or a thrown Error. Untyped client until server/api exports AppRouter.
 */
const client = createTRPCUntypedClient({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({ url: '/api/trpc' }),
      false: httpBatchLink({ url: '/api/trpc' }),
    }),
  ],
});

const modelFileSchema = z.object({
  name: z.string(),
  family: z.string().nullish(),
  sha256: z.string().nullish(),
  size: z.number().nullish(),
});
export type ModelFile = z.infer<typeof modelFileSchema>;

const issueSchema = z
  .object({
    code: z.string(),
    nodeId: z.string().nullish(),
    input: z.string().nullish(),
    message: z.string(),
    suggestions: z.array(z.string()).nullish(),
  })
  .transform((i) => ({ code: i.code, node: i.nodeId ?? null, input: i.input ?? null, message: i.message, suggestions: i.suggestions ?? [] }));
export type ValidationIssue = z.infer<typeof issueSchema>;

const enqueueAnswer = z.union([
  z.object({ jobId: z.string() }),
  z.object({ id: z.string() }).transform((v) => ({ jobId: v.id })),
]);

const jobSummarySchema = z
  .object({
    id: z.string(),
    status: z.string(),
    createdAt: z.union([z.string(), z.number()]).nullish(),
    outputs: z.array(z.object({ node: z.string().nullish(), url: z.string() }).passthrough()).nullish(),
  })
  .passthrough();
export type JobSummary = z.infer<typeof jobSummarySchema>;

const libraryEntrySchema = z.union([z.string().transform((name) => ({ name })), z.object({ name: z.string() }).passthrough()]);

/** Mirrors server/scheduler/events.ts; unknown event types pass through and are ignored. */
const outputFileSchema = z.object({ path: z.string(), kind: z.string(), nodeId: z.string() });
export const jobEventSchema = z
  .object({
    id: z.number().nullish(),
    type: z.string(),
    jobId: z.string(),
    nodeId: z.string().nullish(),
    step: z.number().nullish(),
    total: z.number().nullish(),
    preview: z.string().nullish(),
    files: z.array(outputFileSchema).nullish(),
    error: z.object({ message: z.string(), nodeId: z.string().nullish(), input: z.string().nullish() }).nullish(),
    time: z.string().nullish(),
  })
  .passthrough();
export type JobEvent = z.infer<typeof jobEventSchema>;

function unwrapList(value: unknown, key: string): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value) && key in value) return (value as Record<string, unknown>)[key];
  return value;
}

export async function listNodeSchemas(): Promise<NodeSchema[]> {
  const raw = unwrapList(await client.query('nodes.list'), 'nodes');
  // Schemas are the engine's own typed data; only the envelope is checked here.
  return z.array(z.object({ id: z.string(), inputs: z.array(z.unknown()), outputs: z.array(z.unknown()), params: z.array(z.unknown()) }).passthrough())
    .parse(raw) as unknown as NodeSchema[];
}

/** Accepts either {checkpoints: [...], loras: [...]} or a flat list of {folder, name}. */
export async function listModels(): Promise<Partial<Record<ModelFolder, ModelFile[]>>> {
  const raw = await client.query('models.list');
  const flat = z.array(modelFileSchema.extend({ folder: z.enum(MODEL_FOLDERS) })).safeParse(unwrapList(raw, 'models'));
  if (flat.success) {
    const out: Partial<Record<ModelFolder, ModelFile[]>> = {};
    for (const m of flat.data) (out[m.folder] ??= []).push(m);
    return out;
  }
  const byFolder = z.record(z.string(), z.array(z.union([z.string().transform((name) => ({ name })), modelFileSchema]))).parse(raw);
  const out: Partial<Record<ModelFolder, ModelFile[]>> = {};
  for (const f of MODEL_FOLDERS) if (byFolder[f]) out[f] = byFolder[f];
  return out;
}

export async function validateWorkflow(workflow: Workflow): Promise<ValidationIssue[]> {
  const raw = await client.query('workflows.validate', { workflow });
  const parsed = z.union([z.array(issueSchema), z.object({ errors: z.array(issueSchema) }).transform((v) => v.errors)]).parse(raw);
  return parsed;
}

export async function enqueueJob(workflow: Workflow): Promise<string> {
  return enqueueAnswer.parse(await client.mutation('jobs.enqueue', { workflow })).jobId;
}

export async function cancelJob(jobId: string): Promise<void> {
  await client.mutation('jobs.cancel', { jobId });
}

export async function listJobs(): Promise<JobSummary[]> {
  return z.array(jobSummarySchema).parse(unwrapList(await client.query('jobs.list'), 'jobs'));
}

export async function listLibrary(): Promise<string[]> {
  return z.array(libraryEntrySchema).parse(unwrapList(await client.query('workflows.library.list'), 'workflows')).map((e) => e.name);
}

export async function saveToLibrary(name: string, workflow: Workflow): Promise<void> {
  await client.mutation('workflows.library.save', { name, workflow });
}

export async function loadFromLibrary(name: string): Promise<unknown> {
  return unwrapList(await client.query('workflows.library.load', { name }), 'workflow');
}

export async function deleteFromLibrary(name: string): Promise<void> {
  await client.mutation('workflows.library.delete', { name });
}

/** Follows every job's events; tRPC resumes from the last tracked id after a reconnect. */
export function subscribeJobEvents(onEvent: (e: JobEvent) => void, onError: (message: string) => void): { unsubscribe: () => void } {
  return client.subscription('jobs.events', {}, {
    onData: (value: unknown) => {
      const payload = value && typeof value === 'object' && 'data' in value && 'id' in value ? (value as { data: unknown }).data : value;
      const parsed = jobEventSchema.safeParse(payload);
      if (parsed.success) onEvent(parsed.data);
    },
    onError: (err) => onError(err.message),
  });
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
