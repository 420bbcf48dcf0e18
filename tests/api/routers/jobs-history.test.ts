import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingRegistry } from '../../scheduler/fixtures';
import { appRouter } from '../../../server/api/root';
import { resolvePaths } from '../../../server/config/paths';
import { Engine } from '../../../server/scheduler/engine';
import { createInProcessExecutor } from '../../../server/scheduler/inprocess-executor';
import { createCallerFactory } from '../../../server/trpc';

const { registry } = countingRegistry();
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-history-'));
const paths = resolvePaths({ root });
let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open({ paths, executor: createInProcessExecutor(paths, registry), registry, databaseUrl: null });
});
afterAll(async () => {
  await engine.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const wf = (title: string, width = 64) => ({
  format: 'latentloom.workflow',
  version: 1,
  meta: { title },
  nodes: {
    l: { type: 'EmptyLatent', params: { width, height: 64 } },
    s: { type: 'SaveLatent', params: { filename_prefix: title }, inputs: { samples: { node: 'l', output: 'latent' } } },
  },
});

describe('jobs.history (tRPC)', () => {
  it('pages newest first and filters by status and workflow title; jobs.workers lists this process', async () => {
    const api = createCallerFactory(appRouter)({ engine, paths });
    const ids: string[] = [];
    for (const title of ['Cat portrait', 'dog', 'cat sketch', 'bird']) ids.push((await api.jobs.enqueue({ workflow: wf(title) })).id);
    await engine.idle();
    const bad = await api.jobs.enqueue({ workflow: wf('cat bad', 8) }).catch((e: unknown) => e);
    expect(String(bad)).toMatch(/VALUE_OUT_OF_RANGE/);
    const first = await api.jobs.history({ limit: 3 });
    expect(first.jobs.map((j) => j.title)).toEqual(['bird', 'cat sketch', 'dog']);
    expect(first.jobs[0]).toMatchObject({ status: 'finished', attempts: 1, placement: 'none', nodeCount: 2 });
    expect(first.jobs[0]).not.toHaveProperty('workflow');
    const second = await api.jobs.history({ limit: 3, cursor: first.nextCursor });
    expect(second).toMatchObject({ jobs: [{ title: 'Cat portrait' }], nextCursor: null });
    expect((await api.jobs.history({ workflowTitle: 'CAT' })).jobs.map((j) => j.id)).toEqual([ids[2], ids[0]]);
    expect((await api.jobs.history({ status: 'queued' })).jobs).toEqual([]);
    await expect(api.jobs.history({ cursor: 'abc' })).rejects.toThrow();
    const workers = await api.jobs.workers();
    expect(workers).toHaveLength(1);
    expect(workers[0]).toMatchObject({ pid: process.pid, models: [] });
  });
});
