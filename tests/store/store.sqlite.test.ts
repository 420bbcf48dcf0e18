import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreFullError } from '../../server/store/errors';
import { openSqlite } from '../../server/store/sqlite';
import type { JobEventBody } from '../../server/scheduler/events';
import { newJob, opts, storeContract, worker, type Opened } from './store-contract';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-sqlite-'));
  dirs.push(d);
  return d;
};

async function open(stateDir: string | null = tmp()): Promise<Opened & { sqlite: import('better-sqlite3').Database }> {
  const events: JobEventBody[] = [];
  const h = await openSqlite({ stateDir, sink: (b) => events.push(b) });
  return { ...h, events };
}

describe('SQLite store', () => {
  // one process per file: a second handle on the same database is the same handle
  storeContract(async (shared) => shared ?? open());

  it('refuses a second process on the same state folder, and opens again once the first closes', async () => {
    const dir = tmp();
    const first = await open(dir);
    await expect(openSqlite({ stateDir: dir, sink: null })).rejects.toThrow(/in use by another Latent Loom process/);
    await first.store.close();
    const again = await open(dir);
    await again.store.close();
  });

  it('a full disk refuses new work with StoreFullError, keeps a finished result until it fits, then carries on', async () => {
    const h = await open();
    const { store, sqlite } = h;
    const running = newJob('running');
    await store.insertJob(running);
    await store.claim(worker('w1'), opts());
    // SQLITE_FULL is what SQLite reports when a write finds no space (ENOSPC); max_page_count makes it happen on demand
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const pages = Number(sqlite.pragma('page_count', { simple: true }));
    sqlite.pragma(`max_page_count = ${pages}`);
    const big = newJob('big', [], 64 * 1024);
    const err = await store.insertJob(big).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreFullError);
    expect((err as Error).message).toMatch(/Out of disk space for the job store/);
    expect(await store.getJob(big.id)).toBeUndefined(); // not accepted
    const bigFiles = Array.from({ length: 2000 }, (_, i) => ({ path: `out/${'x'.repeat(40)}-${i}.png`, kind: 'image' as const, nodeId: 'save' }));
    const e2 = await store.completeJob(running.id, 'w1', bigFiles, 1).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(StoreFullError);
    expect((await store.getJob(running.id))?.status).toBe('running'); // never marked failed for want of space
    sqlite.pragma('max_page_count = 1073741823');
    expect(await store.completeJob(running.id, 'w1', bigFiles, 1)).toBe(true);
    expect(await store.insertJob(big)).toEqual({ position: 1 });
    await store.close();
  });

  it('an in-memory store (CLI runs) works the same and leaves nothing behind', async () => {
    const h = await open(null);
    await h.store.insertJob(newJob('mem'));
    expect((await h.store.claim(worker('w'), opts()))?.job.attempts).toBe(1);
    await h.store.close();
  });
});
