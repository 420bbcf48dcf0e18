/**
 * Finding 9: concurrent saves of one library name answered 500 half the time and could leave an
 * unreadable file. Finding 10 (errors): absolute server paths and "Maximum call stack size exceeded"
 * reached clients; now they get a clear line (folders by name) and the server log gets the detail.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latentWorkflow, readEvents, startServer, type ServerProcess } from '../api/server-process';
import { mutate, query, request, tempDataDir, trpcMessage } from './http';

let server: ServerProcess;
let deepServer: ServerProcess;
const dirs: string[] = [];

beforeAll(async () => {
  const a = tempDataDir('errors');
  const b = tempDataDir('deep');
  dirs.push(a, b);
  // the second server lifts the depth limit, to show what still happens past it
  [server, deepServer] = await Promise.all([
    startServer(a),
    startServer(b, { env: { LOOM_MAX_JSON_DEPTH: '1000000', LOOM_MAX_BODY_BYTES: String(64 << 20) } }),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), deepServer?.stop()]);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const titled = (title: string) => ({ ...latentWorkflow(), meta: { title } });

describe('library saves', () => {
  it('24 concurrent saves of one name all succeed and leave one whole, loadable workflow', async () => {
    const titles = Array.from({ length: 24 }, (_, i) => `version ${i} ${'x'.repeat(2000 * (i % 4))}`);
    const replies = await Promise.all(titles.map((t) => mutate(server.url, 'workflows.library.save', { name: 'shared', workflow: titled(t) })));
    expect(replies.map((r) => r.status)).toEqual(titles.map(() => 200));
    const loaded = await query(server.url, 'workflows.library.load', { name: 'shared' });
    expect(loaded.status).toBe(200);
    expect(titles).toContain((JSON.parse(loaded.body) as { result: { data: { meta: { title: string } } } }).result.data.meta.title);
    expect(fs.readdirSync(path.join(dirs[0], 'workflows'))).toEqual(['shared.json']);
  });
});

describe('error replies', () => {
  it('a failed job reports input/ by name, never the server’s absolute path', async () => {
    const input = path.join(dirs[0], 'input');
    fs.writeFileSync(path.join(input, 'broken.latent'), Buffer.from('this is not a safetensors file at all'));
    const prompt = {
      1: { class_type: 'LoadLatent', inputs: { latent: 'broken.latent' } },
      2: { class_type: 'SaveLatent', inputs: { samples: ['1', 0], filename_prefix: 'latents/x' } },
    };
    const r = await mutate(server.url, 'jobs.enqueue', { workflow: prompt });
    expect(r.status, r.body).toBe(200);
    const id = (JSON.parse(r.body) as { result: { data: { id: string } } }).result.data.id;
    const events = await readEvents(
      server.url,
      { jobId: id, lastEventId: '0' },
      (e) => e.data.type === 'job.failed' || e.data.type === 'job.finished',
    );
    const failed = events.at(-1)?.data as unknown as { type: string; error: { message: string } };
    expect(failed.type).toBe('job.failed');
    const job = await query(server.url, 'jobs.get', { id });
    for (const text of [JSON.stringify(failed), job.body, (await query(server.url, 'jobs.list')).body]) {
      expect(text).not.toContain(dirs[0]);
      expect(text).not.toMatch(/"\/(tmp|home|root|work)\//);
    }
    expect(failed.error.message).toMatch(/input\/broken\.latent/);
  });

  it('a stack overflow past the depth limit is a 413 with a log reference, not "Maximum call stack size exceeded"', async () => {
    const n = 100_000;
    const body = `{"workflow":{"1":{"class_type":"EmptyLatentImage","inputs":{"width":${'['.repeat(n)}${']'.repeat(n)}}}}}`;
    const r = await request(deepServer.url, {
      method: 'POST',
      path: '/api/trpc/workflows.validate',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(r.status).toBe(413);
    const message = trpcMessage(r);
    expect(message).toMatch(/^The request is nested too deeply to process \(ref ([0-9a-f]{8})\)\.$/);
    expect(r.body).not.toMatch(/call stack|\bat \/|node_modules/);
    const ref = /ref ([0-9a-f]{8})/.exec(message)?.[1];
    await expect
      .poll(() => deepServer.output())
      .toMatch(new RegExp(`\\[${ref}\\] tRPC workflows\\.validate: RangeError: Maximum call stack size exceeded`));
  });

  it('an internal error is one line with a reference; the detail (with paths) goes to the log only', async () => {
    // workflows/ replaced by a file: saving cannot work, and that is the server's problem, not the client's
    const wf = path.join(dirs[1], 'workflows');
    fs.rmSync(wf, { recursive: true, force: true });
    fs.writeFileSync(wf, 'not a folder');
    const r = await mutate(deepServer.url, 'workflows.library.save', { name: 'x', workflow: latentWorkflow() });
    expect(r.status).toBe(500);
    const message = trpcMessage(r);
    expect(message).toMatch(/^Internal error \(ref [0-9a-f]{8}; details are in the server log\)\.$/);
    expect(r.body).not.toContain(dirs[1]);
    const ref = /ref ([0-9a-f]{8})/.exec(message)?.[1];
    await expect
      .poll(() => deepServer.output())
      .toMatch(new RegExp(`\\[${ref}\\] tRPC workflows\\.library\\.save: .*${dirs[1].replace(/[/.]/g, '\\$&')}`));
  });
});
