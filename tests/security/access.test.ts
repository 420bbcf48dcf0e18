/**
 * Finding 1: any web page could drive the server (DNS rebinding, cross-site requests, framing), and
 * HOST=0.0.0.0 bound every interface without a word. Real server processes on loopback.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latentWorkflow, startServer, type ServerProcess } from '../api/server-process';
import { mutate, query, request, tempDataDir, trpcMessage } from './http';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'test-token-0123456789abcdef';

let open: ServerProcess;
let guarded: ServerProcess;
const dirs: string[] = [];

beforeAll(async () => {
  const a = tempDataDir('access');
  const b = tempDataDir('token');
  dirs.push(a, b);
  [open, guarded] = await Promise.all([
    startServer(a),
    startServer(b, { env: { LOOM_API_TOKEN: TOKEN, LOOM_ALLOWED_HOSTS: 'loom.test', LOOM_ALLOWED_ORIGINS: 'https://loom.test' } }),
  ]);
});
afterAll(async () => {
  await Promise.all([open?.stop(), guarded?.stop()]);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const port = (s: ServerProcess) => new URL(s.url).port;
const jobCount = async (s: ServerProcess) =>
  (JSON.parse((await query(s.url, 'jobs.list')).body) as { result: { data: unknown[] } }).result.data.length;

describe('loopback server without a token', () => {
  it('refuses a DNS-rebinding request: attacker host name, same-origin from the browser’s view', async () => {
    const before = await jobCount(open);
    // the page at http://attacker.example:PORT now resolves to 127.0.0.1; to the browser its calls are same-origin
    const host = `attacker.example:${port(open)}`;
    const r = await mutate(open.url, 'jobs.enqueue', { workflow: latentWorkflow() }, { host, origin: `http://${host}` });
    expect(r.status).toBe(403);
    expect(trpcMessage(r)).toMatch(/attacker\.example.*LOOM_ALLOWED_HOSTS/);
    const read = await query(open.url, 'jobs.list', undefined, { host });
    expect(read.status).toBe(403);
    expect(await jobCount(open)).toBe(before);
  });

  it('answers under its own names: 127.0.0.1, localhost, [::1]', async () => {
    for (const host of [`127.0.0.1:${port(open)}`, `localhost:${port(open)}`, `[::1]:${port(open)}`, 'LOCALHOST.']) {
      expect((await query(open.url, 'jobs.list', undefined, { host })).status, host).toBe(200);
    }
  });

  it('refuses state-changing requests from a foreign Origin (CSRF), including simple form posts', async () => {
    const before = await jobCount(open);
    const evil = await mutate(open.url, 'jobs.enqueue', { workflow: latentWorkflow() }, { origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    expect(trpcMessage(evil)).toMatch(/Cross-origin request from http:\/\/evil\.example refused/);
    const form = await request(open.url, {
      method: 'POST',
      path: '/api/trpc/jobs.enqueue',
      body: JSON.stringify({ workflow: latentWorkflow() }),
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(form.status).toBe(403);
    // another local port is another origin (e.g. an untrusted dev server on :8080)
    expect((await mutate(open.url, 'jobs.enqueue', { workflow: latentWorkflow() }, { origin: 'http://127.0.0.1:8080' })).status).toBe(403);
    // sandboxed iframes and file:// pages send Origin: null
    expect((await mutate(open.url, 'jobs.enqueue', { workflow: latentWorkflow() }, { origin: 'null' })).status).toBe(403);
    const upload = await request(open.url, { method: 'PUT', path: '/api/inputs/x.png', headers: { origin: 'http://evil.example' }, body: 'x' });
    expect(upload.status).toBe(403);
    expect(await jobCount(open)).toBe(before);
  });

  it('accepts the editor’s own same-origin requests and non-browser clients without Origin', async () => {
    const same = await mutate(open.url, 'jobs.enqueue', { workflow: latentWorkflow() }, { origin: open.url, 'sec-fetch-site': 'same-origin' });
    expect(same.status).toBe(200);
    expect((await mutate(open.url, 'workflows.validate', { workflow: latentWorkflow() })).status).toBe(200);
  });

  it('refuses cross-site subresource loads (Fetch Metadata) but lets a link navigate', async () => {
    const embed = await request(open.url, {
      path: '/outputs/x.png',
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' },
    });
    expect(embed.status).toBe(403);
    const framed = await request(open.url, {
      path: '/',
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' },
    });
    expect(framed.status).toBe(403);
    const link = await request(open.url, {
      path: '/',
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' },
    });
    expect(link.status).toBe(404); // --no-ui: allowed through, nothing there
  });

  it('cannot be framed: every reply forbids framing and sniffing', async () => {
    const replies = [
      await query(open.url, 'nodes.list'),
      await request(open.url, { path: '/nowhere' }),
      await request(open.url, { path: '/outputs/missing.png' }),
      await query(open.url, 'jobs.list', undefined, { host: 'evil.example' }),
    ];
    for (const r of replies) {
      expect(r.headers['content-security-policy']).toBe("frame-ancestors 'none'");
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('refuses WebSocket upgrades from a foreign Origin or Host with 403, accepts the ComfyUI /ws, answers other paths 404', async () => {
    const upgrade = (headers: Record<string, string>, path?: string) => rawUpgrade(open.url, headers, path);
    const ws = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };
    expect(await upgrade({ ...ws, origin: 'http://evil.example' })).toMatch(/^HTTP\/1\.1 403 [\s\S]*Cross-origin/);
    expect(await upgrade({ ...ws, host: 'attacker.example', origin: 'http://attacker.example' })).toMatch(
      /^HTTP\/1\.1 403 [\s\S]*LOOM_ALLOWED_HOSTS/,
    );
    expect(await upgrade({ ...ws, origin: open.url })).toMatch(/^HTTP\/1\.1 101 /);
    expect(await upgrade({ ...ws, origin: open.url }, '/nope')).toMatch(/^HTTP\/1\.1 404 /);
    // a target starting with '//' is a path, not a host: found by the HTTP fuzz as a 500
    expect(await upgrade({ ...ws, origin: open.url }, '//?token={&batch=1')).toMatch(/^HTTP\/1\.1 404 /);
    expect((await request(open.url, { path: '//' })).status).toBe(404);
    expect((await query(open.url, 'jobs.list')).status).toBe(200);
  });
});

describe('server with LOOM_API_TOKEN', () => {
  const bearer = { authorization: `Bearer ${TOKEN}` };

  it('refuses every route without the token, naming how to send it', async () => {
    for (const r of [
      await query(guarded.url, 'jobs.list'),
      await request(guarded.url, { path: '/outputs/a.png' }),
      await request(guarded.url, { method: 'PUT', path: '/api/inputs/a.png', body: 'x' }),
      await request(guarded.url, { path: '/' }),
      await query(guarded.url, 'jobs.list', undefined, { authorization: 'Bearer wrong-token-wrong-token' }),
    ]) {
      expect(r.status).toBe(401);
      expect(r.body).toMatch(/Authorization: Bearer/);
    }
    expect((await query(guarded.url, 'jobs.list')).headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('accepts Authorization: Bearer <token>', async () => {
    expect((await query(guarded.url, 'jobs.list', undefined, bearer)).status).toBe(200);
    expect((await mutate(guarded.url, 'jobs.enqueue', { workflow: latentWorkflow() }, bearer)).status).toBe(200);
  });

  it('signs a browser in with the printed ?token= URL: a session cookie, then a redirect without the token', async () => {
    expect((await request(guarded.url, { path: '/?token=not-the-token' })).status).toBe(401);
    const login = await request(guarded.url, { path: '/some/page?token=' + encodeURIComponent(TOKEN) + '&x=1' });
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/some/page?x=1');
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^loom_session=[\w-]+; Path=\/; HttpOnly; SameSite=Strict/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(';')[0];
    expect((await query(guarded.url, 'jobs.list', undefined, { cookie })).status).toBe(200);
    // the editor's same-origin mutation with its cookie
    expect((await mutate(guarded.url, 'workflows.validate', { workflow: latentWorkflow() }, { cookie, origin: guarded.url })).status).toBe(200);
    expect((await query(guarded.url, 'jobs.list', undefined, { cookie: 'loom_session=forged' })).status).toBe(401);
  });

  it('a token does not open the door to other sites: Host and Origin are still checked', async () => {
    expect((await query(guarded.url, 'jobs.list', undefined, { ...bearer, host: 'attacker.example' })).status).toBe(403);
    expect(
      (await mutate(guarded.url, 'workflows.validate', { workflow: latentWorkflow() }, { ...bearer, origin: 'http://evil.example' })).status,
    ).toBe(403);
  });

  it('LOOM_ALLOWED_HOSTS and LOOM_ALLOWED_ORIGINS add names (e.g. behind a reverse proxy)', async () => {
    expect((await query(guarded.url, 'jobs.list', undefined, { ...bearer, host: 'loom.test' })).status).toBe(200);
    const viaProxy = await mutate(
      guarded.url,
      'workflows.validate',
      { workflow: latentWorkflow() },
      { ...bearer, host: 'loom.test', origin: 'https://loom.test' },
    );
    expect(viaProxy.status).toBe(200);
  });

  it('does not print a token the user set', () => {
    expect(guarded.output()).toMatch(/Token required \(LOOM_API_TOKEN\)/);
    expect(guarded.output()).not.toContain(TOKEN);
  });
});

describe('binding', () => {
  it('refuses to start on 0.0.0.0 without LOOM_API_TOKEN, before listening, saying what to set', async () => {
    const dir = tempDataDir('bind');
    dirs.push(dir);
    const env = { ...process.env, HOST: '0.0.0.0', PORT: '0', LOOM_DATA_DIR: dir, LOOM_API_TOKEN: '' };
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/http/main.ts', '--no-ui'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    // should it ever listen, it is stopped at once: no test leaves a server on every interface
    const watch = (b: Buffer) => {
      out += b.toString();
      if (/listening on/.test(out)) proc.kill('SIGKILL');
    };
    proc.stdout.on('data', watch);
    proc.stderr.on('data', watch);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
    clearTimeout(timer);
    expect(code).toBe(1);
    expect(out).toMatch(/Refusing to listen on every interface \(HOST=0\.0\.0\.0\) without a token/);
    expect(out).toMatch(/LOOM_API_TOKEN/);
    expect(out).not.toMatch(/listening on/);
    expect(out).not.toMatch(/^\s+at /m); // one clear line, no stack trace
  });

  it('npm start refuses the same before building the UI', async () => {
    const proc = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: ROOT,
      env: { ...process.env, HOST: '0.0.0.0', LOOM_API_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stderr.on('data', (b: Buffer) => (out += b.toString()));
    // SIGTERM (start.mjs passes it on to its server): should it ever go on to build or listen, it stops here
    const timer = setTimeout(() => proc.kill('SIGTERM'), 10_000);
    const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
    clearTimeout(timer);
    expect(code).toBe(1);
    expect(out).toMatch(/refusing to listen on every interface/);
  });
});

/** Sends an upgrade request over a raw socket and returns what the server wrote before closing. */
function rawUpgrade(base: string, headers: Record<string, string>, path = '/ws'): Promise<string> {
  const url = new URL(base);
  const all: Record<string, string> = { host: url.host, ...headers };
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(url.port), url.hostname, () => {
      sock.write(
        `GET ${path} HTTP/1.1\r\n${Object.entries(all)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\r\n')}\r\n\r\n`,
      );
    });
    let got = '';
    sock.setTimeout(10_000, () => sock.destroy(new Error('upgrade reply timed out')));
    sock.on('data', (b) => {
      got += b.toString();
      // an accepted upgrade stays open: its answer is the header block
      if (got.startsWith('HTTP/1.1 101 ') && got.includes('\r\n\r\n')) sock.destroy();
    });
    sock.on('end', () => resolve(got));
    sock.on('close', () => resolve(got));
    sock.on('error', reject);
  });
}
