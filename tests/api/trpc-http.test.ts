import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { golden, haveGolden } from '../helpers/golden';
import { REGISTRY } from '../../nodes/registry';
import { client, latentWorkflow, readEvents, startServer, type ServerProcess } from './server-process';

let server: ServerProcess;
let api: ReturnType<typeof client>;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-api-'));
  fs.mkdirSync(path.join(dataDir, 'models', 'checkpoints'), { recursive: true });
  if (haveGolden) fs.symlinkSync(golden('tiny-sd1', 'model.safetensors'), path.join(dataDir, 'models', 'checkpoints', 'tiny-sd1.safetensors'));
  server = await startServer(dataDir);
  api = client(server.url);
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('tRPC over loopback HTTP', () => {
  it("nodes.list returns the registry: every node folder, in ComfyUI's vocabulary", async () => {
    const nodes = await api.nodes.list.query();
    expect(nodes.map((n) => n.id).sort()).toEqual(REGISTRY.list.map((s) => s.id).sort());
    expect(nodes.find((n) => n.id === 'EmptyLatentImage')?.io.map((i) => i.name)).toEqual(['width', 'height', 'batch_size']);
  });

  it.runIf(haveGolden)('models.list gives files with family; models.hash hashes on demand', async () => {
    const before = await api.models.list.query({ folder: 'checkpoints' });
    expect(before.checkpoints).toEqual([expect.objectContaining({ name: 'tiny-sd1.safetensors', family: 'sd1', sha256: null })]);
    const { sha256 } = await api.models.hash.mutate({ folder: 'checkpoints', name: 'tiny-sd1.safetensors' });
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await api.models.list.query({ folder: 'checkpoints' })).checkpoints?.[0].sha256).toBe(sha256);
    await expect(api.models.hash.mutate({ folder: 'checkpoints', name: '../../x' })).rejects.toThrow(/No model/);
  });

  it('enqueues a non-ML workflow, streams its events and serves the output', async () => {
    const { id } = await api.jobs.enqueue.mutate({ workflow: latentWorkflow(), overrides: { 'latent.width': 128 } });
    const events = await readEvents(
      server.url,
      { jobId: id, lastEventId: '0' },
      (e) => e.data.type === 'job.finished' || e.data.type === 'job.failed',
    );
    const types = events.map((e) => e.data.type);
    expect(types).toEqual(['job.queued', 'job.started', 'node.started', 'node.finished', 'node.started', 'node.finished', 'job.finished']);
    const ids = events.map((e) => Number(e.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    const job = await api.jobs.get.query({ id });
    expect(job.status).toBe('finished');
    expect(job.workflow.nodes.latent.params.width).toBe(128);
    const res = await fetch(`${server.url}/outputs/${job.files[0].path}`);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(4 * 8 * 16 * 4); // [1,4,64/8,128/8] f32;
    expect((await api.jobs.list.query()).map((j) => j.id)).toContain(id);
  });

  it('resumes the event stream after a given id', async () => {
    const { id } = await api.jobs.enqueue.mutate({ workflow: latentWorkflow() });
    const all = await readEvents(server.url, { jobId: id, lastEventId: '0' }, (e) => e.data.type === 'job.finished');
    const resumed = await readEvents(server.url, { jobId: id, lastEventId: all[2].id }, (e) => e.data.type === 'job.finished');
    expect(resumed.map((e) => e.id)).toEqual(all.slice(3).map((e) => e.id));
  });

  it('rejects an invalid workflow with typed validation errors', async () => {
    const wf = latentWorkflow();
    const bad = { ...wf, nodes: { ...wf.nodes, latent: { ...wf.nodes.latent, params: { width: 8 } } } };
    const err = await api.jobs.enqueue.mutate({ workflow: bad }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCClientError);
    const data = (err as TRPCClientError<never>).data as unknown as { validationErrors: { code: string; nodeId: string; input: string }[] };
    expect(data.validationErrors).toEqual([expect.objectContaining({ code: 'VALUE_OUT_OF_RANGE', nodeId: 'latent', input: 'width' })]);
  });

  it('uploads an input file and lists it', async () => {
    // uploads are sniffed: the PNG signature plus a few bytes is the least that counts as a PNG
    const png = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82]);
    const put = (name: string) => fetch(`${server.url}/api/inputs/${name}`, { method: 'PUT', body: png });
    expect((await put('sub%2Fa.png')).status).toBe(200);
    expect((await put('..%2Fescape.png')).status).toBe(400);
    expect((await put('x.exe')).status).toBe(400);
    expect(await api.inputs.list.query({ extensions: ['.png'] })).toEqual([expect.objectContaining({ name: 'sub/a.png', bytes: 16 })]);
  });

  it('refuses output paths outside the output folder', async () => {
    const res = await fetch(`${server.url}/outputs/..%2F.loom%2Fstate%2Fjournal.jsonl`);
    expect(res.status).toBe(404);
  });

  it('saves, lists, loads and deletes library workflows', async () => {
    await api.workflows.library.save.mutate({ name: 'mine', workflow: latentWorkflow() });
    expect((await api.workflows.library.list.query()).map((w) => w.name)).toEqual(['mine']);
    expect((await api.workflows.library.load.query({ name: 'mine' })).nodes.save.type).toBe('SaveLatent');
    await expect(api.workflows.library.save.mutate({ name: '../x', workflow: latentWorkflow() })).rejects.toThrow();
    await api.workflows.library.delete.mutate({ name: 'mine' });
    expect(await api.workflows.library.list.query()).toEqual([]);
  });
});
