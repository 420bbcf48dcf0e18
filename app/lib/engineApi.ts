import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import type { inferRouterOutputs } from '@trpc/server';
import type { ModelFolder, NodeSchema } from '@/nodes/schemas';
import type { AppRouter } from '@/server/api/root';
import type { JobEvent } from '@/server/scheduler/events';
import type { ValidationError } from '@/server/scheduler/errors';
import type { Workflow } from './workflow';

/** The editor's only door to the engine. */
const client = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({ url: '/api/trpc' }),
      false: httpBatchLink({ url: '/api/trpc' }),
    }),
  ],
});

type Outputs = inferRouterOutputs<AppRouter>;
export type ModelFile = Outputs['models']['list'][ModelFolder] extends (infer F)[] | undefined ? F : never;
export type JobSummary = Outputs['jobs']['list'][number];
export type { JobEvent };

/** A validation problem as the canvas shows it: on a node, at an input or parameter. */
export interface ValidationIssue {
  code: string;
  node: string | null;
  input: string | null;
  message: string;
  suggestions: string[];
}

function toIssue(e: ValidationError): ValidationIssue {
  return { code: e.code, node: e.nodeId, input: e.input ?? null, message: e.message, suggestions: e.suggestions ?? [] };
}

/** Validation errors a rejected enqueue carries (the server's errorFormatter puts them in data). */
function issuesOf(err: unknown): ValidationIssue[] | null {
  if (!(err instanceof TRPCClientError)) return null;
  const data: unknown = err.data;
  if (typeof data !== 'object' || data === null || !('validationErrors' in data)) return null;
  const list = (data as { validationErrors: ValidationError[] | null }).validationErrors;
  return list ? list.map(toIssue) : null;
}

export async function listNodeSchemas(): Promise<NodeSchema[]> {
  return client.nodes.list.query();
}

export async function listModels(): Promise<Partial<Record<ModelFolder, ModelFile[]>>> {
  return client.models.list.query();
}

export async function validateWorkflow(workflow: Workflow): Promise<ValidationIssue[]> {
  const r = await client.workflows.validate.mutate({ workflow });
  return r.errors.map(toIssue);
}

export type EnqueueResult = { ok: true; jobId: string; warnings: string[] } | { ok: false; issues: ValidationIssue[] };

export async function enqueueJob(workflow: Workflow): Promise<EnqueueResult> {
  try {
    const r = await client.jobs.enqueue.mutate({ workflow });
    return { ok: true, jobId: r.id, warnings: r.warnings };
  } catch (err) {
    const issues = issuesOf(err);
    if (issues) return { ok: false, issues };
    throw err;
  }
}

export async function cancelJob(jobId: string): Promise<void> {
  await client.jobs.cancel.mutate({ id: jobId });
}

export async function listJobs(): Promise<JobSummary[]> {
  return client.jobs.list.query({ limit: 50 });
}

export async function listLibrary(): Promise<string[]> {
  return (await client.workflows.library.list.query()).map((e) => e.name).sort();
}

export async function saveToLibrary(name: string, workflow: Workflow): Promise<void> {
  await client.workflows.library.save.mutate({ name, workflow });
}

export async function loadFromLibrary(name: string): Promise<Workflow> {
  return client.workflows.library.load.query({ name });
}

export async function deleteFromLibrary(name: string): Promise<void> {
  await client.workflows.library.delete.mutate({ name });
}

/** Follows every job's events; tRPC resumes from the last tracked id after a reconnect. */
export function subscribeJobEvents(onEvent: (e: JobEvent) => void, onError: (message: string) => void): { unsubscribe: () => void } {
  return client.jobs.events.subscribe(undefined, {
    onData: (tracked) => onEvent(tracked.data),
    onError: (err) => onError(err.message),
  });
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
