/**
 * The REST API on the one server: operations under /api/v1 (router.ts, through trpc-to-openapi's Node handler), the
 * OpenAPI 3.1 document at /api/openapi.json, a docs page at /api/docs, and /api/v1/events, a plain Server-Sent Events
 * stream of job progress (curl -N can wait on it). Bodies are read under the server's size and nesting limits before
 * anything parses them; errors keep the tRPC error shape (`{message, code, data}`), with 503/507 for the store.
 */
import type http from 'node:http';
import { createOpenApiHttpHandler, generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import { describeLimit, type Limits } from '../api/limits';
import { scrubPaths } from '../api/public-errors';
import type { LoomPaths } from '../config/paths';
import { HttpError, jsonDepth, readBody } from '../http/body';
import { sendError } from '../http/reply';
import type { Engine } from '../scheduler/engine';
import type { JobEvent } from '../scheduler/events';
import { StoreFullError, StoreUnavailableError } from '../store/errors';
import { docsPage } from './docs-page';
import { restRouter } from './router';
import { requestUrl } from '../http/request-url';

export const REST_PREFIX = '/api/v1';
export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PATH = '/api/docs';
const EVENTS_PATH = `${REST_PREFIX}/events`;

export interface RestApiOptions {
  engine: Engine;
  paths: LoomPaths;
  limits: Limits;
}

export interface RestApi {
  matches(pathname: string): boolean;
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  close(): void;
}

const TERMINAL = new Set(['job.finished', 'job.failed', 'job.cancelled']);

/** The SSE stream, documented by hand: trpc-to-openapi describes request/response operations only. */
const eventsPathDoc = {
  get: {
    operationId: 'events',
    tags: ['jobs'],
    summary: 'Job progress as Server-Sent Events',
    description:
      'One SSE message per event: `id` (resume with lastEventId or the Last-Event-ID header), `event` (job.queued, job.started, ' +
      'node.started, node.cached, node.progress, node.finished, node.warning, job.finished, job.failed, job.cancelled) and `data` ' +
      '(the event as JSON). With jobId the stream carries that job only and ends after its last event (at once if it has ended).',
    parameters: [
      { in: 'query', name: 'jobId', schema: { type: 'string' }, description: 'only this job; the stream ends when it does' },
      { in: 'query', name: 'lastEventId', schema: { type: 'string', pattern: '^\\d+$' }, description: 'replay buffered events after this id' },
    ],
    responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } } },
  },
};

export function createRestApi(opts: RestApiOptions): RestApi {
  const { engine, paths, limits } = opts;
  const streams = new Set<AbortController>();
  const handler = createOpenApiHttpHandler({
    router: restRouter,
    createContext: () => ({ engine, paths, limits }),
    responseMeta: ({ errors }) => {
      if (errors.some((e) => e.cause instanceof StoreFullError)) return { status: 507 };
      if (errors.some((e) => e.cause instanceof StoreUnavailableError)) return { status: 503 };
      return {};
    },
  });
  let doc: OpenAPIObject | null = null;
  const openApi = (): OpenAPIObject => {
    if (doc) return doc;
    const generated = generateOpenApiDocument(restRouter, {
      title: 'Latent Loom REST API',
      version: '1',
      description:
        "Queue workflows (ours or ComfyUI's), follow their progress, fetch their outputs. Output files download from /outputs/<path>; " +
        'input files upload with PUT /api/inputs/<name>. On a non-loopback address every call needs "Authorization: Bearer <token>". ' +
        'ComfyUI clients can use the ComfyUI-compatible API at the server root instead (docs/comfy-api.md).',
      baseUrl: REST_PREFIX,
      docsUrl: DOCS_PATH,
      securitySchemes: { Authorization: { type: 'http', scheme: 'bearer', description: 'LOOM_API_TOKEN, needed off loopback' } },
    });
    generated.paths = { ...generated.paths, '/events': eventsPathDoc } as OpenAPIObject['paths'];
    doc = generated;
    return doc;
  };

  const events = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const q = requestUrl(req).searchParams;
    const jobId = q.get('jobId');
    const last = q.get('lastEventId') ?? (typeof req.headers['last-event-id'] === 'string' ? req.headers['last-event-id'] : null);
    if (last !== null && !/^\d+$/.test(last)) return sendError(req, res, 400, 'lastEventId must be a number.');
    const ac = new AbortController();
    streams.add(ac);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': latentloom events\n\n');
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    const write = (e: JobEvent) => {
      const body =
        e.type === 'job.failed'
          ? { ...e, error: { ...e.error, message: scrubPaths(e.error.message, paths) } }
          : e.type === 'node.warning'
            ? { ...e, message: scrubPaths(e.message, paths) }
            : e;
      res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(body)}\n\n`);
    };
    req.on('close', () => ac.abort());
    try {
      // a job that already ended: its last event, from the record, so a late waiter does not wait forever
      const ended = jobId ? await engine.get(jobId) : undefined;
      if (jobId && !ended) {
        res.write(`event: error\ndata: ${JSON.stringify({ message: `No job "${jobId}".` })}\n\n`);
        return;
      }
      if (ended && (ended.status === 'finished' || ended.status === 'failed' || ended.status === 'cancelled') && last === null) {
        const id = 0;
        const time = ended.finishedAt ?? new Date().toISOString();
        if (ended.status === 'finished') write({ type: 'job.finished', jobId: ended.id, files: ended.files, ms: 0, id, time });
        else if (ended.status === 'failed') write({ type: 'job.failed', jobId: ended.id, error: ended.error ?? { message: 'failed' }, id, time });
        else write({ type: 'job.cancelled', jobId: ended.id, id, time });
        return;
      }
      for await (const e of engine.events.subscribe(last === null ? null : Number(last), ac.signal)) {
        if (jobId && e.jobId !== jobId) continue;
        write(e);
        if (jobId && TERMINAL.has(e.type)) break;
      }
    } finally {
      clearInterval(ping);
      streams.delete(ac);
      res.end();
    }
  };

  /** Reads a JSON body under the limits; curl's default form content type is accepted when the body is JSON. */
  const prepareBody = async (req: http.IncomingMessage): Promise<void> => {
    const body = await readBody(req, limits.body.value, `The request body is too large: ${describeLimit('a request body', limits.body, 'bytes')}.`);
    if (jsonDepth(body, limits.jsonDepth.value) > limits.jsonDepth.value) {
      throw new HttpError(413, `The request nests JSON too deeply: ${describeLimit('nesting', limits.jsonDepth, 'levels')}.`);
    }
    const text = body.toString('utf8').trim();
    let parsed: unknown = {};
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new HttpError(400, 'The request body is not valid JSON.');
      }
    }
    (req as http.IncomingMessage & { body?: unknown }).body = parsed;
    req.headers['content-type'] = 'application/json';
  };

  return {
    matches: (p) => p === OPENAPI_PATH || p === DOCS_PATH || p === REST_PREFIX || p.startsWith(`${REST_PREFIX}/`),
    async handle(req, res) {
      const pathname = (req.url ?? '/').split('?')[0];
      const get = req.method === 'GET' || req.method === 'HEAD';
      if (pathname === OPENAPI_PATH || pathname === DOCS_PATH || pathname === EVENTS_PATH) {
        if (!get) return sendError(req, res, 405, `${pathname} answers GET only.`, { headers: { allow: 'GET, HEAD' } });
        if (pathname === EVENTS_PATH) return events(req, res);
        const isDoc = pathname === OPENAPI_PATH;
        const body = isDoc ? JSON.stringify(openApi()) : docsPage(openApi());
        res.writeHead(200, {
          'content-type': isDoc ? 'application/json' : 'text/html; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          'cache-control': 'no-cache',
        });
        return void res.end(req.method === 'HEAD' ? undefined : body);
      }
      if (req.method !== 'GET' && req.method !== 'DELETE' && req.method !== 'HEAD') {
        try {
          await prepareBody(req);
        } catch (e) {
          if (e instanceof HttpError) return sendError(req, res, e.status, e.message, { close: e.status === 413 });
          throw e;
        }
      }
      req.url = (req.url ?? '/').slice(REST_PREFIX.length) || '/';
      await handler(req, res);
    },
    close() {
      for (const ac of streams) ac.abort();
    },
  };
}
