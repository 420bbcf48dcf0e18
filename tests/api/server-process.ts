/** Starts the real HTTP server (tsx server/http/main.ts --no-ui) on a free loopback port. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '../../server/api/root';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  url: string;
  proc: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartOptions {
  /** extra environment (e.g. LOOM_DATABASE_URL, LOOM_API_TOKEN, a limit) */
  env?: Record<string, string>;
  /** extra arguments (e.g. --workers 0) */
  args?: string[];
}

export async function startServer(dataDir: string, opts: StartOptions = {}): Promise<ServerProcess> {
  // node --import tsx: one process, so SIGKILL hits the server itself (the tsx CLI would leave its child running)
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/http/main.ts', '--no-ui', ...(opts.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOOM_DATA_DIR: dataDir, LOOM_CACHE_DIR: path.join(dataDir, '.cache'), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 60_000);
    const onData = (b: Buffer) => {
      log += b.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`server exited (${code}):\n${log}`)));
  });
  return {
    url,
    proc,
    output: () => log,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill(signal);
      }),
  };
}

export function client(url: string) {
  return createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/api/trpc` })] });
}

/** Deliberately a version-1 file (old node names): the server migrates it, as it does files saved before v2. */
export const latentWorkflow = (size = 64) => ({
  format: 'latentloom.workflow',
  version: 1,
  nodes: {
    latent: { type: 'EmptyLatent', params: { width: size, height: size, batch_size: 1 }, ui: { x: 0, y: 0 } },
    save: { type: 'SaveLatent', params: { filename_prefix: 'latents/api' }, inputs: { samples: { node: 'latent', output: 'latent' } } },
  },
});

/** Reads an SSE stream of tRPC tracked events until `until` returns true. */
export async function readEvents(url: string, input: object, until: (e: { id: string; data: { type: string; jobId: string } }) => boolean) {
  const ac = new AbortController();
  const res = await fetch(`${url}/api/trpc/jobs.events?input=${encodeURIComponent(JSON.stringify(input))}`, { signal: ac.signal });
  const seen: { id: string; data: { type: string; jobId: string } }[] = [];
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      for (let sep = buf.indexOf('\n\n'); sep >= 0; sep = buf.indexOf('\n\n')) {
        const block = buf.slice(0, sep);
        buf = buf.slice(sep + 2);
        const id = /^id: ?(.*)$/m.exec(block)?.[1];
        const data = /^data: ?(.*)$/m.exec(block)?.[1];
        if (!id || !data || /^event: ?(ping|connected)/m.test(block)) continue;
        const ev = { id, data: JSON.parse(data) };
        seen.push(ev);
        if (until(ev)) return seen;
      }
    }
  } finally {
    ac.abort();
  }
  return seen;
}
