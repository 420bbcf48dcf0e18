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

/** How many ended jobs one history page holds (the gallery and history panel page together). */
export const HISTORY_PAGE = 20;

export interface HistoryPage {
  jobs: JobSummary[];
  nextCursor: string | null;
}

/** Jobs newest first, one page; `cursor` continues with older ones. The one call the history panel and gallery use. */
export async function listHistory(cursor: string | null = null, limit = HISTORY_PAGE): Promise<HistoryPage> {
  return client.jobs.history.query({ limit, cursor });
}

/** What runs now and what waits, from the server (any client's jobs): [running, queued newest first]. */
export async function listQueue(signal?: AbortSignal): Promise<[JobSummary[], JobSummary[]]> {
  return Promise.all([
    client.jobs.list.query({ status: 'running', limit: 50 }, { signal }),
    client.jobs.list.query({ status: 'queued', limit: 200 }, { signal }),
  ]);
}

export type JobRecord = Outputs['jobs']['get'];

/** One job with the workflow it ran (the image viewer's details and "load this workflow"). */
export async function getJob(id: string): Promise<JobRecord> {
  return client.jobs.get.query({ id });
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

/**
 * Follows every job's events from after `lastEventId`; tRPC resumes from the last tracked id when the stream
 * drops. `onEnd` reports a stream that stopped for good (its error), so the caller can subscribe again.
 */
export function subscribeJobEvents(
  lastEventId: string | null,
  handlers: { onEvent: (e: JobEvent, id: string) => void; onEnd: (message: string) => void; onOpen: () => void },
): { unsubscribe: () => void } {
  return client.jobs.events.subscribe(lastEventId ? { lastEventId } : undefined, {
    onStarted: () => handlers.onOpen(),
    onData: (tracked) => handlers.onEvent(tracked.data, tracked.id),
    onError: (err) => handlers.onEnd(err.message),
    onComplete: () => handlers.onEnd('the event stream ended'),
  });
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export type ModelFolderInfo = Outputs['models']['folders'][number];
export type ModelUsage = Outputs['models']['usage'];

export async function listModelFolders(): Promise<ModelFolderInfo[]> {
  return client.models.folders.query();
}

/** Creates the model folders that do not exist yet; answers the full paths made. */
export async function ensureModelFolders(): Promise<string[]> {
  return (await client.models.ensureFolders.mutate()).created;
}

export async function listModelUsage(): Promise<ModelUsage> {
  return client.models.usage.query();
}

export async function hashModel(folder: ModelFolder, name: string): Promise<string> {
  return (await client.models.hash.mutate({ folder, name })).sha256;
}

export type InputFile = Outputs['inputs']['list'][number];

/** Files in input/ with one of the extensions (LoadImage's picker, example inputs). */
export async function listInputs(extensions?: string[]): Promise<InputFile[]> {
  return client.inputs.list.query(extensions ? { extensions } : undefined);
}

export type InputPreview = Outputs['inputs']['preview'];

export async function previewInput(name: string): Promise<InputPreview> {
  return client.inputs.preview.query({ name });
}
