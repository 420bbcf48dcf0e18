import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { client, latentWorkflow, startServer, type ServerProcess } from './server-process';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-durable-'));
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function waitAllDone(api: ReturnType<typeof client>, ids: string[], ms = 90_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const jobs = await Promise.all(ids.map((id) => api.jobs.get.query({ id })));
    if (jobs.every((j) => j.status === 'finished' || j.status === 'failed')) return jobs;
    if (Date.now() > deadline) throw new Error(`jobs still pending: ${jobs.filter((j) => j.status !== 'finished').map((j) => j.status)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('durable queue', () => {
  it('loses no accepted job when the server is killed with SIGKILL mid-queue', async () => {
    server = await startServer(dataDir);
    let api = client(server.url);
    const ids: string[] = [];
    // 8192² latents are 64 MiB each to write: slow enough that most jobs are still queued at the kill
    for (let i = 0; i < 10; i++) ids.push((await api.jobs.enqueue.mutate({ workflow: latentWorkflow(8192) })).id);
    const before = await api.jobs.list.query();
    expect(before.filter((j) => j.status !== 'finished').length).toBeGreaterThan(0);
    await server.stop('SIGKILL');

    server = await startServer(dataDir);
    api = client(server.url);
    const jobs = await waitAllDone(api, ids);
    expect(jobs.map((j) => j.status)).toEqual(ids.map(() => 'finished'));
    expect(jobs.map((j) => j.id)).toEqual(ids);
    for (const j of jobs) expect(fs.existsSync(path.join(dataDir, 'output', j.files[0].path))).toBe(true);
    // history keeps the exact workflow
    expect(jobs[0].workflow.nodes.latent.params.width).toBe(8192);
  });
});
