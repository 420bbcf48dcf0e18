/**
 * One Node http server: tRPC at /api/trpc, uploads at PUT /api/inputs/<name>, output files at
 * /outputs, ComfyUI's API at the root (/prompt, /queue, /history, /view, /upload/*, /object_info, /ws …;
 * server/comfy), our REST API at /api/v1 with its OpenAPI document (server/rest), the rest to Next.js. Every request and WebSocket upgrade passes the access check first
 * (Host, cross-site, token); bodies are size- and depth-limited before anything parses them; no
 * handler error reaches the process (each becomes a reply and a log line).
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { appRouter } from '../api/root';
import { defaultLimits, describeLimit, type Limits } from '../api/limits';
import { internalErrorMessage } from '../api/public-errors';
import type { Engine } from '../scheduler/engine';
import type { LoomPaths } from '../config/paths';
import { accessPolicy, checkAccess, handleTokenLogin, type AccessPolicy } from './access';
import { HttpError, jsonDepth, readBody } from './body';
import { StoreFullError, StoreUnavailableError } from '../store/errors';
import { serveOutput } from './outputs';
import { sendError, setSecurityHeaders } from './reply';
import { OUTPUTS_PREFIX, TRPC_PREFIX, UPLOAD_PREFIX } from './routes';
import { handleUpload } from './upload';
import { createComfyApi } from '../comfy/api';
import { createRestApi } from '../rest/handler';
import { requestUrl } from './request-url';

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;
/** Handles an upgrade that passed the access check (the ComfyUI-compatible /ws will be one). Return false when the path is not yours. */
export type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => boolean;

export { TRPC_PREFIX };

export interface LoomServerOptions {
  engine: Engine;
  paths: LoomPaths;
  ui?: RequestHandler;
  /** default: loopback 127.0.0.1 without a token */
  access?: AccessPolicy;
  limits?: Limits;
  upgrade?: UpgradeHandler;
}

/** Refuses JSON that nests deeper than the limit, before it is parsed (deep nesting overflows recursive code later). */
function checkDepth(text: Uint8Array | string, limits: Limits): void {
  if (jsonDepth(text, limits.jsonDepth.value) > limits.jsonDepth.value) {
    throw new HttpError(413, `The request nests JSON too deeply: ${describeLimit('nesting', limits.jsonDepth, 'levels')}.`);
  }
}

/** What a server holds beyond its HTTP connections (WebSockets, event subscriptions), released by closeLoomServer. */
const releases = new WeakMap<http.Server, () => void>();

/**
 * Stops a server made by createLoomServer: WebSocket clients and event feeds end now (an upgraded socket would
 * otherwise keep server.close() waiting), then the server stops listening.
 */
export function closeLoomServer(server: http.Server): void {
  releases.get(server)?.();
  server.close();
}

export function createLoomServer(opts: LoomServerOptions): http.Server {
  const policy = opts.access ?? accessPolicy('127.0.0.1', {});
  const limits = opts.limits ?? defaultLimits();
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: `${TRPC_PREFIX}/`,
    maxBodySize: limits.body.value,
    createContext: () => ({ engine: opts.engine, paths: opts.paths, limits }),
    // internal errors are logged, with the reference the client sees, by the error formatter (server/trpc.ts)
    // a full disk refuses new work with 507 (Insufficient Storage), an unreachable store with 503
    responseMeta: ({ errors }) => {
      if (errors.some((e) => e.cause instanceof StoreFullError)) return { status: 507 };
      if (errors.some((e) => e.cause instanceof StoreUnavailableError)) return { status: 503 };
      return {};
    },
  });

  const handleTrpc = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = requestUrl(req);
    for (const value of url.searchParams.values()) checkDepth(value, limits);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const body = await readBody(req, limits.body.value, `The request body is too large: ${describeLimit('a request body', limits.body, 'bytes')}.`);
      checkDepth(body, limits);
      // tRPC reads a string body as the raw JSON text (node-http adapter's req.body contract)
      (req as http.IncomingMessage & { body?: string }).body = body.toString('utf8');
    }
    await trpc(req, res);
  };

  const comfy = createComfyApi({ engine: opts.engine, paths: opts.paths, limits });
  const rest = createRestApi({ engine: opts.engine, paths: opts.paths, limits });

  const route = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    setSecurityHeaders(res);
    const access = checkAccess(policy, req);
    if ((access.ok || access.status === 401) && handleTokenLogin(policy, req, res)) return;
    if (!access.ok) {
      const headers: Record<string, string> = access.status === 401 ? { 'www-authenticate': 'Bearer realm="latentloom"' } : {};
      return sendError(req, res, access.status, access.message, { close: req.method !== 'GET' && req.method !== 'HEAD', headers });
    }
    const url = req.url ?? '/';
    if (url === TRPC_PREFIX || url.startsWith(`${TRPC_PREFIX}/`) || url.startsWith(`${TRPC_PREFIX}?`)) return handleTrpc(req, res);
    if (url.startsWith(UPLOAD_PREFIX)) return handleUpload(opts.paths.input, limits.upload, req, res);
    if (url.startsWith(OUTPUTS_PREFIX)) return serveOutput(opts.paths.output, url.slice(OUTPUTS_PREFIX.length).split('?')[0], req, res);
    const pathname = url.split('?')[0];
    if (rest.matches(pathname)) return rest.handle(req, res);
    if (comfy.matches(pathname)) return comfy.handle(req, res);
    if (opts.ui) return opts.ui(req, res);
    sendError(req, res, 404, 'Not found (UI disabled)');
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const fail = (e: unknown) => {
      if (e instanceof HttpError) return sendError(req, res, e.status, e.message, { close: true });
      sendError(req, res, 500, internalErrorMessage(e, `${req.method} ${(req.url ?? '').slice(0, 200)}`));
    };
    try {
      Promise.resolve(route(req, res)).catch(fail);
    } catch (e) {
      fail(e);
    }
  };
  const server = http.createServer(handle);
  // "Expect: 100-continue" (curl sends it for big bodies): a body over its limit is refused before the client sends
  // it, so the client reads a clear 413 instead of a broken pipe halfway through its upload
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = req.url ?? '/';
    const upload = url.startsWith(UPLOAD_PREFIX) || comfy.isUpload(url.split('?')[0]);
    // a multipart form carries a little more than its file
    const limit = upload ? { ...limits.upload, value: limits.upload.value + (url.startsWith(UPLOAD_PREFIX) ? 0 : 64 * 1024) } : limits.body;
    const allowed = checkAccess(policy, req).ok;
    if (allowed && Number(req.headers['content-length'] ?? 0) > limit.value) {
      setSecurityHeaders(res);
      const what = upload ? 'The upload' : 'The request body';
      return sendError(
        req,
        res,
        413,
        `${what} is too large: ${describeLimit(upload ? 'an upload' : 'a request body', upload ? limits.upload : limits.body, 'bytes')}.`,
        { close: true },
      );
    }
    // a refused caller gets its 401/403 before sending anything
    if (allowed) res.writeContinue();
    handle(req, res);
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const access = checkAccess(policy, req, { upgrade: true });
    if (!access.ok) return rejectUpgrade(socket, access.status, access.message);
    try {
      if (opts.upgrade?.(req, socket, head)) return;
      if (comfy.upgrade(req, socket, head)) return;
    } catch (e) {
      return rejectUpgrade(socket, 500, internalErrorMessage(e, `upgrade ${(req.url ?? '').slice(0, 200)}`));
    }
    rejectUpgrade(socket, 404, 'No WebSocket endpoint here.');
  });
  const release = () => {
    comfy.close();
    rest.close();
  };
  releases.set(server, release);
  server.on('close', release);
  return server;
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };

function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `x-frame-options: DENY\r\ncontent-security-policy: frame-ancestors 'none'\r\nconnection: close\r\n\r\n${body}`,
  );
}
