/**
 * A second Latent Loom server for browser tests that stop, restart or empty it (connection loss, first start,
 * history across restarts). Same build and code as the suite's server, its own data folder and port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const ci = process.env.CI === 'true';
export const goldenDir = process.env.LOOM_GOLDEN_DIR ?? path.resolve(root, '../shared/golden');
export const tinyCheckpoint = path.join(goldenDir, 'tiny-sd1/model.safetensors');

/** The tiny SD1 checkpoint the tests run; missing means the suite cannot prove anything about runs. */
export function requireTinyModel(): string {
  if (existsSync(tinyCheckpoint)) return tinyCheckpoint;
  const message = `golden checkpoint missing at ${tinyCheckpoint} (set LOOM_GOLDEN_DIR)`;
  if (ci) throw new Error(`${message}; CI never skips it`);
  throw new Error(message);
}

export function place(from: string, to: string) {
  mkdirSync(path.dirname(to), { recursive: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to); // across filesystems a hard link is impossible
  }
}

/** A data folder; with `models`, the tiny SD1 checkpoint and the CLIP vocabulary are in place. */
export function makeDataDir(o: { models: boolean }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loom-browser-own-'));
  for (const sub of ['input', 'output', 'workflows']) mkdirSync(path.join(dir, sub), { recursive: true });
  if (o.models) {
    place(requireTinyModel(), path.join(dir, 'models/checkpoints/tiny-sd1.safetensors'));
    const vocab = path.join(goldenDir, 'clip/bpe_simple_vocab_16e6.txt.gz');
    if (existsSync(vocab)) place(vocab, path.join(dir, 'models/clip/bpe_simple_vocab_16e6.txt.gz'));
  }
  return dir;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export class TestServer {
  private child: ChildProcess | null = null;
  private constructor(
    readonly dataDir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(dataDir: string, port?: number): Promise<TestServer> {
    const s = new TestServer(dataDir, port ?? (await freePort()));
    await s.start();
    return s;
  }

  /** Starts (again) on the same port and data folder; resolves once the UI answers. */
  async start(): Promise<void> {
    const env = {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(this.port),
      LOOM_DATA_DIR: this.dataDir,
      NODE_ENV: 'production' as const,
      NEXT_TELEMETRY_DISABLED: '1',
    };
    const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'server/http/main.ts')], {
      cwd: root,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
      detached: true,
    });
    this.child = child;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`test server exited with ${child.exitCode}`);
      try {
        if ((await fetch(this.url)).status < 500) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`test server did not answer ${this.url} within 60 s`);
  }

  /** Stops the server: SIGKILL is a crash (nothing shuts down cleanly), SIGTERM a normal stop. */
  async stop(signal: 'SIGKILL' | 'SIGTERM' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    this.child = null;
  }

  async dispose(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Queues a workflow through the HTTP API (tRPC over plain HTTP, as any client would). */
export async function enqueueOverHttp(url: string, workflow: unknown): Promise<string> {
  const res = await fetch(`${url}/api/trpc/jobs.enqueue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ workflow }),
  });
  const body = (await res.json()) as { result?: { data?: { id: string } }; error?: unknown };
  if (!res.ok || !body.result?.data?.id) throw new Error(`enqueue failed: HTTP ${res.status} ${JSON.stringify(body.error ?? body)}`);
  return body.result.data.id;
}

/** A job's status over the HTTP API. */
export async function jobStatus(url: string, id: string): Promise<string> {
  const res = await fetch(`${url}/api/trpc/jobs.get?input=${encodeURIComponent(JSON.stringify({ id }))}`);
  const body = (await res.json()) as { result?: { data?: { status: string } } };
  return body.result?.data?.status ?? `HTTP ${res.status}`;
}

export async function waitForStatus(url: string, id: string, want: RegExp, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await jobStatus(url, id).catch((e: unknown) => String(e));
    if (want.test(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`job ${id} is "${last}", not ${want} after ${timeoutMs} ms`);
}
