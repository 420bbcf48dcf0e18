/**
 * Finding 8: symlinks planted in output/ or input/ were followed (/outputs served /etc files, uploads
 * wrote outside input/), and models.hash read /dev/zero forever. Real paths must stay inside input/,
 * output/ and workflows/; model links are followed (other disks) only to regular files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../api/server-process';
import { mutate, pngBody, query, request, tempDataDir, trpcMessage } from './http';

let server: ServerProcess;
let dir: string;
let outside: string;
const secret = 'TOP-SECRET-CONTENT root:x:0:0';

beforeAll(async () => {
  dir = tempDataDir('links');
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-sec-outside-'));
  fs.writeFileSync(path.join(outside, 'secret.png'), secret);
  fs.writeFileSync(path.join(outside, 'secret.json'), secret);
  const out = path.join(dir, 'output');
  fs.symlinkSync('/etc/passwd', path.join(out, 'passwd.png'));
  fs.symlinkSync('/etc', path.join(out, 'etc'));
  fs.symlinkSync(outside, path.join(out, 'away'));
  fs.writeFileSync(path.join(out, 'real.png'), pngBody(40));
  fs.symlinkSync('real.png', path.join(out, 'alias.png')); // a link that stays inside output/ is fine
  const inp = path.join(dir, 'input');
  fs.symlinkSync(outside, path.join(inp, 'away'));
  fs.symlinkSync(path.join(outside, 'secret.png'), path.join(inp, 'leak.png'));
  fs.symlinkSync(path.join(dir, 'gone.png'), path.join(inp, 'dangling.png'));
  fs.writeFileSync(path.join(inp, 'fine.png'), pngBody(40));
  const ckpt = path.join(dir, 'models', 'checkpoints');
  fs.symlinkSync('/dev/zero', path.join(ckpt, 'zero.safetensors'));
  fs.writeFileSync(path.join(outside, 'elsewhere.safetensors'), Buffer.from('model bytes on another disk'));
  fs.symlinkSync(path.join(outside, 'elsewhere.safetensors'), path.join(ckpt, 'elsewhere.safetensors'));
  fs.symlinkSync(path.join(outside, 'secret.json'), path.join(dir, 'workflows', 'evil.json'));
  server = await startServer(dir);
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

describe('real paths', () => {
  it('/outputs never serves a file outside output/ through a planted link', async () => {
    for (const p of ['passwd.png', 'etc/passwd', 'etc/hostname', 'away/secret.png', 'etc%2Fpasswd']) {
      const r = await request(server.url, { path: `/outputs/${p}` });
      expect(r.status, p).toBe(404);
      expect(r.body, p).not.toMatch(/root:|TOP-SECRET/);
    }
    const inside = await request(server.url, { path: '/outputs/alias.png' });
    expect(inside.status).toBe(200);
    expect(inside.body.length).toBe(40);
  });

  it('uploads cannot write through a link that leaves input/', async () => {
    const r = await request(server.url, { method: 'PUT', path: '/api/inputs/away%2Fplanted.png', body: pngBody(64) });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).error).toMatch(/outside the input folder/);
    const deeper = await request(server.url, { method: 'PUT', path: '/api/inputs/away%2Fnew%2Fplanted.png', body: pngBody(64) });
    expect(deeper.status).toBe(403);
    expect(fs.readdirSync(outside).sort()).toEqual(['elsewhere.safetensors', 'secret.json', 'secret.png']);
  });

  it('the input list skips links that leave input/ and dangling ones, and still lists the rest', async () => {
    const r = await query(server.url, 'inputs.list');
    expect(r.status).toBe(200);
    const names = (JSON.parse(r.body) as { result: { data: { name: string }[] } }).result.data.map((f) => f.name);
    expect(names).toEqual(['fine.png']);
  });

  it('models.hash refuses a link to a device instead of reading /dev/zero forever', async () => {
    const t0 = Date.now();
    const r = await mutate(server.url, 'models.hash', { folder: 'checkpoints', name: 'zero.safetensors' });
    expect(Date.now() - t0).toBeLessThan(5000);
    // model listings hold regular files only, so a link to a device is no model at all
    expect(r.status).toBe(404);
    expect(trpcMessage(r)).toBe('No model "zero.safetensors" in models/checkpoints.');
  });

  it('model links to regular files on another disk are followed: listed and hashable', async () => {
    const list = JSON.parse((await query(server.url, 'models.list', { folder: 'checkpoints' })).body) as {
      result: { data: { checkpoints: { name: string }[] } };
    };
    expect(list.result.data.checkpoints.map((m) => m.name)).toEqual(['elsewhere.safetensors']);
    const r = await mutate(server.url, 'models.hash', { folder: 'checkpoints', name: 'elsewhere.safetensors' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).result.data.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the workflow library does not read through a link that leaves workflows/, nor echo its content', async () => {
    const r = await query(server.url, 'workflows.library.load', { name: 'evil' });
    expect(r.status).toBe(403);
    expect(r.body).not.toContain('TOP-SECRET');
    const list = JSON.parse((await query(server.url, 'workflows.library.list')).body) as { result: { data: { name: string }[] } };
    expect(list.result.data.map((w) => w.name)).not.toContain('evil');
  });
});
