/** Raw HTTP for the security suite: node:http, so Host, Origin and every other header are exactly what the test says. */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string | number>;
  body?: string | Uint8Array;
  /** ms before the request is abandoned (the test fails with a timeout, never hangs) */
  timeoutMs?: number;
}

export function request(base: string, r: RawRequest): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method: r.method ?? 'GET', path: r.path, headers: { host: url.host, ...r.headers }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(r.timeoutMs ?? 15_000, () => req.destroy(new Error(`timeout: ${r.method ?? 'GET'} ${r.path}`)));
    req.on('error', (e: NodeJS.ErrnoException) => {
      // a server refusing a big body answers and closes while we still write: the answer may follow the broken pipe
      if (e.code === 'EPIPE' || e.code === 'ECONNRESET') setTimeout(() => reject(e), 500);
      else reject(e);
    });
    req.end(r.body);
  });
}

/** A JSON POST to a tRPC mutation with the given extra headers. */
export function mutate(base: string, proc: string, input: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return request(base, {
    method: 'POST',
    path: `/api/trpc/${proc}`,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(input),
  });
}

export function query(base: string, proc: string, input?: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  const q = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  return request(base, { path: `/api/trpc/${proc}${q}`, headers });
}

/** tRPC's error message from a reply body. */
export function trpcMessage(r: RawResponse): string {
  try {
    return (JSON.parse(r.body) as { error?: { message?: string } }).error?.message ?? '';
  } catch {
    return r.body;
  }
}

/** Open file descriptors of a process (Linux /proc). */
export function openFds(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

/** Resident memory of a process in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

export function tempDataDir(tag: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `loom-sec-${tag}-`));
  for (const sub of ['models/checkpoints', 'input', 'output', 'workflows']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  return dir;
}

/** The PNG signature and an IHDR chunk header: what the upload sniffer needs to call it a PNG. */
export const PNG_HEAD = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82]);

export const pngBody = (bytes: number, fill = 0) => Buffer.concat([PNG_HEAD, Buffer.alloc(Math.max(0, bytes - PNG_HEAD.length), fill)]);

export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
