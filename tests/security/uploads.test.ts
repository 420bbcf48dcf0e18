/**
 * Finding 4: `q.png` then `q.png/r.png` crashed a --no-ui server; concurrent uploads to one name
 * corrupted the file; each aborted upload leaked a descriptor and a temp file (300 aborts = 300 fds),
 * after which /outputs crashed the process; any bytes were accepted as .png; temp files were listed.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../api/server-process';
import { openFds, pngBody, query, request, tempDataDir, waitFor } from './http';

let server: ServerProcess;
let dir: string;
const input = () => path.join(dir, 'input');
const put = (name: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
  request(server.url, { method: 'PUT', path: `/api/inputs/${name}`, body, headers });
const alive = async () => expect((await query(server.url, 'jobs.list')).status).toBe(200);
const inputNames = async (ext?: string[]) =>
  (
    JSON.parse((await query(server.url, 'inputs.list', ext ? { extensions: ext } : undefined)).body) as { result: { data: { name: string }[] } }
  ).result.data.map((f) => f.name);

beforeAll(async () => {
  dir = tempDataDir('uploads');
  server = await startServer(dir, { env: { LOOM_MAX_UPLOAD_BYTES: String(4 * 1024 * 1024) } });
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('uploads', () => {
  it('q.png then q.png/r.png: a clear 409, and the server stays up', async () => {
    expect((await put('q.png', pngBody(64))).status).toBe(200);
    const nested = await put('q.png%2Fr.png', pngBody(64));
    expect(nested.status).toBe(409);
    expect(JSON.parse(nested.body).error).toBe('"q.png" is a file, so "q.png/r.png" cannot be created inside it');
    await alive();
    expect(fs.statSync(path.join(input(), 'q.png')).isFile()).toBe(true);
  });

  it('concurrent uploads of one name: every one answers, and the file is exactly one of them', async () => {
    const bodies = Array.from({ length: 8 }, (_, i) => pngBody(256 * 1024, i + 1));
    const replies = await Promise.all(bodies.map((b) => put('same.png', b)));
    expect(replies.map((r) => r.status)).toEqual(bodies.map(() => 200));
    const stored = fs.readFileSync(path.join(input(), 'same.png'));
    expect(bodies.some((b) => b.equals(stored))).toBe(true);
    expect(fs.readdirSync(input()).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('300 aborted uploads leave no temp file and no open descriptor; outputs and listings still work', async () => {
    const pid = server.proc.pid as number;
    const baseline = openFds(pid);
    const url = new URL(server.url);
    const abortOne = () =>
      new Promise<void>((resolve) => {
        const req = http.request({
          host: url.hostname,
          port: url.port,
          method: 'PUT',
          path: '/api/inputs/aborted.png',
          headers: { 'content-length': 1024 * 1024 },
          agent: false,
        });
        req.on('error', () => resolve());
        req.on('close', () => resolve());
        req.write(pngBody(64 * 1024), () => setTimeout(() => req.destroy(), 5));
      });
    for (let i = 0; i < 300; i += 30) await Promise.all(Array.from({ length: 30 }, abortOne));
    await waitFor(() => fs.readdirSync(input()).every((n) => !n.startsWith('.') && n !== 'aborted.png'), 10_000, 'temp files to be removed');
    await waitFor(() => openFds(pid) <= baseline + 8, 10_000, `descriptors back near ${baseline} (now ${openFds(pid)})`);
    fs.writeFileSync(path.join(dir, 'output', 'ok.png'), pngBody(100));
    const out = await request(server.url, { path: '/outputs/ok.png' });
    expect(out.status).toBe(200);
    expect(out.body.length).toBeGreaterThan(0);
    expect((await query(server.url, 'models.list')).status).toBe(200);
    await alive();
  });

  it('sniffs the content: only PNG, JPEG, WebP or latent bytes, matching the extension', async () => {
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(60)]);
    const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 '), Buffer.alloc(40)]);
    const header = Buffer.from('{"__metadata__":{"format":"pt"}}');
    const latent = Buffer.concat([Buffer.alloc(8), header]);
    latent.writeBigUInt64LE(BigInt(header.length), 0);
    expect((await put('text.png', 'hello, this is not an image at all')).status).toBe(415);
    const mismatch = await put('photo.png', jpeg);
    expect(mismatch.status).toBe(415);
    expect(JSON.parse(mismatch.body).error).toMatch(/should hold a PNG file but its content is a JPEG file/);
    expect((await put('tiny.png', Buffer.from([137, 80, 78, 71]))).status).toBe(415);
    expect((await put('photo.jpg', jpeg)).status).toBe(200);
    expect((await put('pic.webp', webp)).status).toBe(200);
    expect((await put('x.latent', latent)).status).toBe(200);
    expect((await put('y.latent', pngBody(64))).status).toBe(415);
    expect((await put('script.html', '<script>alert(1)</script>')).status).toBe(400);
    expect((await put('.hidden.png', pngBody(64))).status).toBe(400);
    for (const refused of ['text.png', 'photo.png', 'tiny.png', 'y.latent']) expect(fs.existsSync(path.join(input(), refused)), refused).toBe(false);
  });

  it('refuses an upload over LOOM_MAX_UPLOAD_BYTES, declared or streamed, keeping nothing', async () => {
    const url = new URL(server.url);
    // declared, with "Expect: 100-continue" (what curl sends): refused before a byte of the body is sent
    const declared = await new Promise<{ status: number; body: string; sentBody: boolean }>((resolve, reject) => {
      let sentBody = false;
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: 'PUT',
          path: '/api/inputs/big.png',
          agent: false,
          headers: { 'content-length': 5 * 1024 * 1024, expect: '100-continue' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res
            .on('data', (c: Buffer) => chunks.push(c))
            .on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), sentBody }));
        },
      );
      req.on('continue', () => {
        sentBody = true;
        req.end(pngBody(5 * 1024 * 1024));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(declared.status).toBe(413);
    expect(declared.sentBody).toBe(false);
    expect(JSON.parse(declared.body).error).toMatch(/LOOM_MAX_UPLOAD_BYTES/);
    // declared without Expect, body sent at once: a 413, or the connection cut while we still write
    const blasted = await put('big.png', pngBody(5 * 1024 * 1024)).then(
      (r) => r.status,
      () => 413,
    );
    expect(blasted).toBe(413);
    // chunked (no Content-Length): refused once the stream passes the limit
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, method: 'PUT', path: '/api/inputs/big2.png', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      let sent = 0;
      const pump = () => {
        while (sent < 16 * 1024 * 1024) {
          sent += 256 * 1024;
          if (!req.write(pngBody(256 * 1024))) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    }).catch(() => 413); // the server may cut the connection while we are still writing: also a refusal
    expect(streamed).toBe(413);
    await waitFor(() => !fs.readdirSync(input()).some((n) => n.startsWith('.') || n.startsWith('big')), 5000, 'no partial big upload');
    await alive();
  });

  it('lists neither temp files nor leftovers, and a dangling symlink does not break the list', async () => {
    fs.writeFileSync(path.join(input(), '.loom-tmp-a.png.0123ab'), pngBody(32));
    fs.writeFileSync(path.join(input(), 'old.png.4242.upload'), pngBody(32));
    fs.symlinkSync(path.join(dir, 'nowhere.png'), path.join(input(), 'dangling.png'));
    const names = await inputNames(['.png', '.upload']);
    expect(names).toContain('q.png');
    expect(names).toContain('same.png');
    expect(names.filter((n) => n.includes('tmp') || n.includes('upload') || n === 'dangling.png')).toEqual([]);
  });
});
