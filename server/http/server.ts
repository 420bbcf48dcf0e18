/** One Node http server: tRPC at /api/trpc, uploads at PUT /api/inputs/<name>, output files at /outputs, the rest to Next.js. */
import http from 'node:http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { appRouter } from '../api/root';
import type { Engine } from '../scheduler/engine';
import type { LoomPaths } from '../config/paths';
import { StoreFullError, StoreUnavailableError } from '../store/errors';
import { serveOutput } from './outputs';
import { handleUpload, UPLOAD_PREFIX } from './upload';

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export const TRPC_PREFIX = '/api/trpc';

export function createLoomServer(opts: { engine: Engine; paths: LoomPaths; ui?: RequestHandler }): http.Server {
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: `${TRPC_PREFIX}/`,
    createContext: () => ({ engine: opts.engine, paths: opts.paths }),
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path ?? '?'}:`, error);
    },
    // a full disk refuses new work with 507 (Insufficient Storage), an unreachable store with 503
    responseMeta: ({ errors }) => {
      if (errors.some((e) => e.cause instanceof StoreFullError)) return { status: 507 };
      if (errors.some((e) => e.cause instanceof StoreUnavailableError)) return { status: 503 };
      return {};
    },
  });
  return http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === TRPC_PREFIX || url.startsWith(`${TRPC_PREFIX}/`)) return trpc(req, res);
    if (url.startsWith(UPLOAD_PREFIX)) return handleUpload(opts.paths.input, req, res);
    if (url.startsWith('/outputs/')) return serveOutput(opts.paths.output, url.slice('/outputs/'.length).split('?')[0], res);
    if (opts.ui) return void Promise.resolve(opts.ui(req, res)).catch((e: unknown) => {
      console.error(e);
      if (!res.headersSent) res.writeHead(500).end('Internal error');
    });
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found (UI disabled)');
  });
}
