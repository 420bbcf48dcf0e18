/**
 * Starts the one HTTP server (tRPC, uploads, outputs, the editor) with its engine. Used by
 * server/http/main.ts (`npm start`) and `latentloom serve`. With LOOM_DATABASE_URL the engine shares the
 * PostgreSQL store with other API processes and `latentloom worker`s; `workers: 0` runs no jobs here.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolvePaths, type PathOverrides } from '../config/paths';
import { Engine } from '../scheduler/engine';
import type { Executor } from '../scheduler/executor';
import { createWorkerExecutor } from '../scheduler/worker-executor';
import { redact } from '../store/postgres';
import { readLimits } from '../api/limits';
import { accessPolicy, signInUrl } from './access';
import { closeLoomServer, createLoomServer, type RequestHandler } from './server';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServeOptions extends PathOverrides {
  ui: boolean;
  host: string;
  port: number;
  /** local execution workers (threads); 0: accept and serve only */
  workers: number;
}

async function loadUi(): Promise<RequestHandler> {
  const { default: next } = await import('next');
  const app = next({ dev: false, dir: repoRoot });
  await app.prepare();
  const handle = app.getRequestHandler();
  return (req, res) => handle(req, res);
}

export function parseWorkerCount(raw: string | undefined, dflt = 1): number {
  if (raw === undefined || raw.trim() === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > Math.max(64, os.cpus().length * 4))
    throw new Error(`--workers ${raw}: expected a whole number from 0 to 64.`);
  return n;
}

/** Resolves once listening; the returned stop() closes the server and the engine (a running job is requeued). */
export async function startServe(opts: ServeOptions): Promise<{ url: string; stop: () => Promise<void> }> {
  // refuse an unsafe setup (a public address without a token) before anything is loaded or bound
  const access = accessPolicy(opts.host);
  const limits = readLimits();
  const paths = resolvePaths(opts);
  const executors: Executor[] = Array.from({ length: opts.workers }, () => createWorkerExecutor(paths));
  const engine = await Engine.open({ paths, executors });
  const ui = opts.ui ? await loadUi() : undefined;
  const server = createLoomServer({ engine, paths, ui, access, limits });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
  const store = engine.storeKind === 'postgres' ? `postgres ${redact(process.env.LOOM_DATABASE_URL ?? '')}` : `sqlite ${paths.state}`;
  console.log(`Latent Loom listening on ${url} (models: ${paths.models}, output: ${paths.output}, store: ${store}, workers here: ${opts.workers})`);
  if (access.tokenSource === 'generated') {
    console.log(`API token (generated for this run; set LOOM_API_TOKEN to keep one): ${access.token}`);
    console.log(`Open ${signInUrl(access, url)} once in your browser to sign in; API clients send "Authorization: Bearer <token>".`);
  } else if (access.tokenSource === 'env') {
    console.log(
      `Token required (LOOM_API_TOKEN): open ${url}/?token=<LOOM_API_TOKEN> once in your browser; API clients send "Authorization: Bearer <token>".`,
    );
  }
  engine.start();
  return {
    url,
    stop: async () => {
      closeLoomServer(server);
      await engine.close();
    },
  };
}
