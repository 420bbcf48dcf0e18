/**
 * Issue 19 finding 6 on a real full disk: the embedded store's folder on a small tmpfs that the test fills.
 * New work gets 507, the server keeps answering, a job that finishes meanwhile is never marked failed, and
 * once space returns the queue carries on by itself; kill -9 afterwards loses nothing that was answered 200.
 * Mounting needs root with CAP_SYS_ADMIN; without it the suite says so and skips (the same path is covered
 * in-process by tests/store/store.sqlite.test.ts, where SQLite's SQLITE_FULL is produced on demand).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeGolden, golden } from '../helpers/golden';
import { txt2imgWorkflow, latentJob } from '../worker/processes';
import { client, readEvents, startServer, type ServerProcess } from './server-process';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-full-'));
const stateDir = path.join(base, 'state');
const filler = path.join(stateDir, 'filler');
fs.mkdirSync(stateDir);
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', stateDir]).status === 0;
if (!mounted) console.warn('disk-full suite skipped: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)');
let server: ServerProcess | undefined;

beforeAll(() => {
  fs.mkdirSync(path.join(base, 'models', 'checkpoints'), { recursive: true });
  fs.mkdirSync(path.join(base, 'models', 'clip'), { recursive: true });
  fs.symlinkSync(golden('tiny-sd1', 'model.safetensors'), path.join(base, 'models', 'checkpoints', 'sd1-a.safetensors'));
  fs.symlinkSync(golden('clip', 'bpe_simple_vocab_16e6.txt.gz'), path.join(base, 'models', 'clip', 'bpe_simple_vocab_16e6.txt.gz'));
});
afterAll(async () => {
  await server?.stop('SIGKILL');
  if (mounted) spawnSync('umount', ['-l', stateDir]);
  fs.rmSync(base, { recursive: true, force: true });
});

/** Writes until the filesystem says ENOSPC. */
function fillDisk(): void {
  const fd = fs.openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    fs.closeSync(fd);
  }
}

async function statusOf(api: ReturnType<typeof client>, id: string) {
  return (await api.jobs.get.query({ id })).status;
}

async function until(pred: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

(mounted ? describeGolden : describeGolden.skip)('a full disk under the embedded store', () => {
  it('answers 507 to new work, keeps finished results, resumes by itself, and loses nothing answered 200', async () => {
    server = await startServer(base, { env: { LOOM_STATE_DIR: stateDir } });
    let api = client(server.url);
    const first = (await api.jobs.enqueue.mutate({ workflow: latentJob('first') })).id;
    await until(async () => (await statusOf(api, first)) === 'finished', 30_000, 'the first job');
    // a sampling job that will finish while the disk is full, and one queued behind it
    const sampling = (await api.jobs.enqueue.mutate({ workflow: txt2imgWorkflow('sd1-a.safetensors', 80, 'full/img') })).id;
    const queuedBehind = (await api.jobs.enqueue.mutate({ workflow: latentJob('behind') })).id;
    await readEvents(server.url, { jobId: sampling, lastEventId: '0' }, (e) => e.data.type === 'node.progress');
    fillDisk();

    const refused = await api.jobs.enqueue.mutate({ workflow: latentJob('refused') }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect((refused as TRPCClientError<never>).data).toMatchObject({ httpStatus: 507 });
    expect((refused as Error).message).toMatch(/Out of disk space/);
    const raw = await fetch(`${server.url}/api/trpc/jobs.enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workflow: latentJob('raw') }),
    });
    expect(raw.status).toBe(507);
    // the sampling job ends while nothing can be written: it stays running (its result waits), never failed
    await readEvents(
      server.url,
      { jobId: sampling, lastEventId: '0' },
      (e) => e.data.type === 'node.finished' && (e.data as { nodeId?: string }).nodeId === 'save',
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(await statusOf(api, sampling)).toBe('running');
    expect(await statusOf(api, queuedBehind)).toBe('queued');
    expect((await api.jobs.list.query()).length).toBe(3); // still answering

    fs.rmSync(filler);
    // no new request needed: the result is recorded and the queue moves on by itself
    await until(async () => (await statusOf(api, sampling)) === 'finished' && (await statusOf(api, queuedBehind)) === 'finished', 30_000, 'recovery');
    const job = await api.jobs.get.query({ id: sampling });
    expect(job.attempts).toBe(1);
    expect(job.files.map((f) => f.nodeId)).toEqual(['save']);
    const after = (await api.jobs.enqueue.mutate({ workflow: latentJob('after') })).id;

    await server.stop('SIGKILL');
    server = await startServer(base, { env: { LOOM_STATE_DIR: stateDir } });
    api = client(server.url);
    await until(async () => (await statusOf(api, after)) === 'finished', 30_000, 'the job accepted last');
    const all = (await api.jobs.list.query()).map((j) => [j.id, j.status]);
    expect(all).toEqual([
      [after, 'finished'],
      [queuedBehind, 'finished'],
      [sampling, 'finished'],
      [first, 'finished'],
    ]);
  });
});
