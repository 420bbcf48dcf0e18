/**
 * Finding 5: no limit on request bodies or workflow size (twelve 450 MB bodies held 6.9 GB; 12 MB
 * workflows bloated the journal). Bodies are refused by size before they are held, JSON by depth
 * before it is parsed, workflows by node count before they are validated; each names its env var.
 */
import fs from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latentWorkflow, startServer, type ServerProcess } from '../api/server-process';
import { mutate, query, request, rssBytes, tempDataDir, trpcMessage } from './http';

const BODY_LIMIT = 1024 * 1024;
let server: ServerProcess;
let dir: string;

beforeAll(async () => {
  dir = tempDataDir('limits');
  server = await startServer(dir, { env: { LOOM_MAX_BODY_BYTES: String(BODY_LIMIT), LOOM_MAX_WORKFLOW_NODES: '200', LOOM_MAX_JSON_DEPTH: '40' } });
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** An API-format (ComfyUI) prompt of n trivial nodes. */
const apiPrompt = (n: number) =>
  Object.fromEntries(
    Array.from({ length: n }, (_, i) => [String(i + 1), { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } }]),
  );

/** Streams `total` bytes of JSON-ish filler without Content-Length; resolves with the status, or 'closed' if cut off first. */
function streamBody(base: string, total: number): Promise<number | 'closed'> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/api/trpc/jobs.enqueue',
        headers: { 'content-type': 'application/json' },
        agent: false,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', () => resolve('closed'));
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    req.write('{"workflow":"');
    pump();
  });
}

describe('request limits', () => {
  it('refuses a body over LOOM_MAX_BODY_BYTES by its Content-Length, without reading it', async () => {
    const t0 = Date.now();
    const r = await request(server.url, {
      method: 'POST',
      path: '/api/trpc/jobs.enqueue',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(20 * 1024 * 1024, 0x20),
    }).catch((e: Error) => ({ status: -1, body: e.message, headers: {} }));
    // the reply can race our own writing; either we read the 413 or the server cut us off early
    if (r.status !== -1) {
      expect(r.status).toBe(413);
      expect(trpcMessage(r)).toMatch(/LOOM_MAX_BODY_BYTES/);
    }
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((await query(server.url, 'jobs.list')).status).toBe(200);
  });

  it('twelve concurrent 100 MB streamed bodies are cut off at the limit; memory stays flat', async () => {
    const pid = server.proc.pid as number;
    const before = rssBytes(pid);
    const results = await Promise.all(Array.from({ length: 12 }, () => streamBody(server.url, 100 * 1024 * 1024)));
    for (const r of results) expect([413, 'closed']).toContain(r);
    expect(results.filter((r) => r === 413).length).toBeGreaterThan(0);
    // each body was held at most to the 1 MiB limit: far from 12 x 100 MB
    expect(rssBytes(pid) - before).toBeLessThan(150 * 1024 * 1024);
    expect((await query(server.url, 'jobs.list')).status).toBe(200);
  });

  it('refuses JSON nested deeper than LOOM_MAX_JSON_DEPTH before parsing it, in bodies and query strings', async () => {
    const n = 200_000;
    const deep = `{"workflow":${'['.repeat(n)}${']'.repeat(n)}}`;
    const r = await request(server.url, {
      method: 'POST',
      path: '/api/trpc/workflows.validate',
      headers: { 'content-type': 'application/json' },
      body: deep,
    });
    expect(r.status).toBe(413);
    expect(trpcMessage(r)).toMatch(/nests JSON too deeply: nesting is limited to 40 levels \(set LOOM_MAX_JSON_DEPTH to raise it\)/);
    const q = await query(server.url, 'jobs.get', { id: JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`) });
    expect(q.status).toBe(413);
    // brackets inside strings are text, not nesting
    const text = await mutate(server.url, 'workflows.validate', { workflow: { title: '['.repeat(10_000) } });
    expect(text.status).toBe(200);
  });

  it('refuses a workflow over LOOM_MAX_WORKFLOW_NODES in every procedure that takes one, quickly', async () => {
    const big = apiPrompt(201);
    for (const [proc, input] of [
      ['jobs.enqueue', { workflow: big }],
      ['workflows.validate', { workflow: big }],
      ['workflows.library.save', { name: 'big', workflow: big }],
    ] as const) {
      const r = await mutate(server.url, proc, input);
      expect(r.status, proc).toBe(413);
      expect(trpcMessage(r), proc).toBe('The workflow has 201 nodes; a workflow is limited to 200 nodes (set LOOM_MAX_WORKFLOW_NODES to raise it).');
    }
    // a 50,000-node ComfyUI UI workflow (450 KB, under the byte limit) is refused on its count, never validated
    const ui = { nodes: Array.from({ length: 50_000 }, (_, i) => ({ id: i })), links: [] };
    const t0 = performance.now();
    const r = await mutate(server.url, 'jobs.enqueue', { workflow: ui });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r.status).toBe(413);
    expect(fs.existsSync(`${dir}/workflows/big.json`)).toBe(false);
  });

  it('still accepts ordinary work', async () => {
    expect((await mutate(server.url, 'jobs.enqueue', { workflow: latentWorkflow() })).status).toBe(200);
    expect((await mutate(server.url, 'jobs.enqueue', { workflow: apiPrompt(200) })).status).not.toBe(413);
  });
});
