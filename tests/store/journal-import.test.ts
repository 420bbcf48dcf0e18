import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal } from '../../server/scheduler/journal';
import type { JobRecord } from '../../server/scheduler/job';
import { openSqlite } from '../../server/store/sqlite';
import { txt2img } from '../scheduler/fixtures';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-import-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const job = (id: string, seed: number, title?: string): JobRecord => {
  const workflow = txt2img(seed);
  if (title) workflow.meta = { title, created: at(0) };
  return { id, status: 'queued', workflow, createdAt: at(seed), files: [], attempts: 0 };
};

/** What the old server left: every kind of record, a restart mid-job, and a line torn by kill -9. */
function writeJournal(file: string): void {
  const j = new Journal(file);
  j.append({ t: 'accepted', job: job('done', 1, 'Portrait') });
  j.append({ t: 'started', id: 'done', at: at(10) });
  j.append({
    t: 'finished',
    id: 'done',
    at: at(11),
    files: [
      { path: 'img_00001_.png', kind: 'image', nodeId: 'save' },
      { path: 'p.png', kind: 'preview', nodeId: 'save' },
    ],
  });
  j.append({ t: 'accepted', job: job('broken', 2) });
  j.append({ t: 'started', id: 'broken', at: at(12) });
  j.append({ t: 'failed', id: 'broken', at: at(13), error: { message: 'KSampler (sampler) failed: out of memory', nodeId: 'sampler' } });
  j.append({ t: 'accepted', job: job('dropped', 3) });
  j.append({ t: 'cancelled', id: 'dropped', at: at(14) });
  j.append({ t: 'accepted', job: job('restarted', 4) });
  j.append({ t: 'started', id: 'restarted', at: at(15) });
  j.append({ t: 'started', id: 'restarted', at: at(16) }); // the server died once while it ran
  j.append({ t: 'accepted', job: job('waiting', 5, 'Landscape') });
  j.close();
  fs.appendFileSync(file, '{"t":"accepted","job":{"id":"torn","sta');
}

describe('journal import', () => {
  it('brings every job of an old journal into the store on first start, losslessly, once', async () => {
    const stateDir = path.join(root, 'state');
    const file = path.join(stateDir, 'journal.jsonl');
    fs.mkdirSync(stateDir, { recursive: true });
    writeJournal(file);
    const expected = Journal.replay(file);
    expect(expected.map((j) => j.id)).toEqual(['done', 'broken', 'dropped', 'restarted', 'waiting']);

    const warnings: string[] = [];
    const { store } = await openSqlite({ stateDir, sink: null, warn: (m) => warnings.push(m) });
    for (const want of expected) {
      const got = await store.getJob(want.id);
      // the journal counted restarts, the store counts starts: one more for every job that ever started
      expect(got, want.id).toEqual({ ...want, attempts: want.startedAt ? want.attempts + 1 : 0 });
    }
    expect(await store.getJob('restarted')).toMatchObject({ status: 'running', attempts: 2, startedAt: at(16) });
    // queue order and history order are the journal's
    expect((await store.queuedJobs()).map((j) => j.id)).toEqual(['waiting']);
    expect((await store.listJobs()).jobs.map((j) => j.id)).toEqual(['waiting', 'restarted', 'dropped', 'broken', 'done']);
    expect((await store.listJobs({ workflowTitle: 'portrait' })).jobs.map((j) => j.id)).toEqual(['done']);
    expect(warnings).toEqual([`Imported 5 job(s) from ${file} into loom.sqlite.`]);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(`${file}.imported`)).toBe(true);
    await store.close();

    // a crash between the import's commit and the rename: the next start must not duplicate anything
    fs.copyFileSync(`${file}.imported`, file);
    const again = await openSqlite({ stateDir, sink: null, warn: () => {} });
    expect((await again.store.listJobs()).jobs.map((j) => j.id)).toEqual(['waiting', 'restarted', 'dropped', 'broken', 'done']);
    await again.store.close();
  });
});
