/**
 * The REST API (/api/v1, OpenAPI at /api/openapi.json, docs at /api/docs) on a real server process: the README's
 * flow (save a workflow, run it with overrides, wait on the SSE stream, fetch the job, download its output) and
 * the error answers. A latent-only workflow keeps it independent of model files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../api/server-process';

let server: ServerProcess;
let dir: string;
let api: string;

const latentWorkflow = {
  format: 'latentloom.workflow',
  version: 2,
  meta: { title: 'rest latent' },
  nodes: {
    latent: { type: 'EmptyLatentImage', params: { width: 64, height: 64, batch_size: 1 } },
    save: { type: 'SaveLatent', params: { filename_prefix: 'rest/latent' }, inputs: { samples: { node: 'latent', output: 'LATENT' } } },
  },
};

async function call(method: string, route: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${api}${route}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Reads the SSE stream until it ends (with jobId it ends after the job's last event). */
async function sse(url: string): Promise<{ event: string; id: string; data: Record<string, unknown> }[]> {
  const res = await fetch(url);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((b) => /^event: /m.test(b))
    .map((b) => ({
      event: /^event: (.*)$/m.exec(b)?.[1] ?? '',
      id: /^id: (.*)$/m.exec(b)?.[1] ?? '',
      data: JSON.parse(/^data: (.*)$/m.exec(b)?.[1] ?? '{}') as Record<string, unknown>,
    }));
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-rest-'));
  server = await startServer(dir);
  api = `${server.url}/api/v1`;
});

afterAll(async () => {
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('REST API', () => {
  it('serves an OpenAPI 3.1 document of every operation, and a docs page', async () => {
    const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as {
      openapi: string;
      servers: { url: string }[];
      paths: Record<string, Record<string, { summary?: string; operationId?: string }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers[0].url).toBe('/api/v1');
    const ops = Object.entries(doc.paths)
      .flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    expect(ops).toEqual([
      'DELETE /workflows/{name}',
      'GET /events',
      'GET /inputs',
      'GET /jobs',
      'GET /jobs/{id}',
      'GET /models',
      'GET /nodes',
      'GET /workers',
      'GET /workflows',
      'GET /workflows/{name}',
      'POST /jobs',
      'POST /jobs/{id}/cancel',
      'POST /models/hash',
      'POST /workflows/validate',
      'POST /workflows/{name}/run',
      'PUT /workflows/{name}',
    ]);
    for (const item of Object.values(doc.paths)) for (const op of Object.values(item)) expect(op.summary).toBeTruthy();
    expect(doc.components.securitySchemes.Authorization).toMatchObject({ type: 'http', scheme: 'bearer' });
    const page = await fetch(`${server.url}/api/docs`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('/api/v1/workflows/{name}/run');
    expect(html).toContain('Queue a saved workflow');
    expect(html).not.toContain('<script');
  });

  it('saves a workflow, runs it with overrides, waits on the event stream, and downloads its output', async () => {
    expect(await call('PUT', '/workflows/latent', { workflow: latentWorkflow })).toEqual({ status: 200, json: { name: 'latent' } });
    expect((await call('GET', '/workflows')).json).toEqual([expect.objectContaining({ name: 'latent', title: 'rest latent', nodeCount: 2 })]);
    const run = await call('POST', '/workflows/latent/run', { overrides: { 'latent.width': 128 } });
    expect(run.status).toBe(200);
    const id = run.json.id as string;
    expect(run.json.job).toMatchObject({ id, status: 'queued', title: 'rest latent', nodeCount: 2 });

    const events = await sse(`${api}/events?jobId=${id}&lastEventId=0`);
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['job.queued', 'job.started', 'node.finished', 'job.finished']));
    expect(events.at(-1)?.event).toBe('job.finished');
    expect(events.every((e) => e.data.jobId === id && /^\d+$/.test(e.id))).toBe(true);
    // a late waiter gets the end at once
    expect((await sse(`${api}/events?jobId=${id}`)).map((e) => e.event)).toEqual(['job.finished']);

    const job = await call('GET', `/jobs/${id}`);
    expect(job.json).toMatchObject({ id, status: 'finished' });
    expect((job.json.workflow as typeof latentWorkflow).nodes.latent.params.width).toBe(128);
    const files = job.json.files as { path: string; kind: string }[];
    expect(files).toEqual([{ path: 'rest/latent_00001_.latent', kind: 'latent', nodeId: 'save' }]);
    const download = await fetch(`${server.url}/outputs/${files[0].path}`);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(fs.readFileSync(path.join(dir, 'output', files[0].path)));

    const list = await call('GET', '/jobs?status=finished&limit=5');
    expect((list.json.jobs as { id: string }[]).map((j) => j.id)).toContain(id);
    expect((await call('POST', `/jobs/${id}/cancel`)).json).toEqual({ cancelled: false });
    const queued = await call('POST', '/jobs', { workflow: latentWorkflow, overrides: { 'latent.height': 96 } });
    expect(queued.json.job).toMatchObject({ status: 'queued' });
    expect((await call('GET', '/nodes')).json).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'KSampler' })]));
    expect((await call('POST', '/workflows/validate', { workflow: latentWorkflow })).json).toMatchObject({ ok: true, errors: [] });
    expect((await call('DELETE', '/workflows/latent')).json).toEqual({ name: 'latent' });
  });

  it('answers errors with their status and the tRPC error shape', async () => {
    const bad = await call('POST', '/jobs', {
      workflow: { ...latentWorkflow, nodes: { ...latentWorkflow.nodes, latent: { type: 'EmptyLatentImage', params: { width: 3 } } } },
    });
    expect(bad.status).toBe(400);
    expect((bad.json.data as { validationErrors: { code: string; nodeId: string; input: string }[] }).validationErrors[0]).toMatchObject({
      code: 'VALUE_OUT_OF_RANGE',
      nodeId: 'latent',
      input: 'width',
    });
    expect((await call('GET', '/jobs/no-such-job')).status).toBe(404);
    expect((await call('POST', '/workflows/missing/run', {})).status).toBe(404);
    expect((await call('GET', '/jobs?limit=9999')).status).toBe(400);
    const notJson = await fetch(`${api}/jobs`, { method: 'POST', body: '{"workflow": ' });
    expect(notJson.status).toBe(400);
    // curl -d sends a form content type: a JSON body is still read as JSON
    const formType = await fetch(`${api}/jobs`, {
      method: 'POST',
      body: JSON.stringify({ workflow: latentWorkflow }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(formType.status).toBe(200);
    expect((await call('GET', '/no/such/route')).status).toBe(404);
    expect((await fetch(`${api}/events?lastEventId=x`)).status).toBe(400);
    const deep = await fetch(`${api}/jobs`, {
      method: 'POST',
      body: `{"workflow": ${'['.repeat(300)}${']'.repeat(300)}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(deep.status).toBe(413);
  });
});
