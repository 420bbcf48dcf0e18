/**
 * HTTP fuzz: random methods, paths, headers and bodies against a real server on loopback for a
 * bounded time (LOOM_FUZZ_MS, default 20 s; seed LOOM_FUZZ_SEED). No reply may be a 5xx other than
 * 503/507, the server must stay up and answer a plain query afterwards. Failures print the request.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../helpers/prng';
import { latentWorkflow, startServer, type ServerProcess } from '../api/server-process';
import { query, tempDataDir } from './http';

const DURATION_MS = Number(process.env.LOOM_FUZZ_MS ?? 20_000);
const SEED = Number(process.env.LOOM_FUZZ_SEED ?? 19);
const CONCURRENCY = 4;

let server: ServerProcess;
let dir: string;

beforeAll(async () => {
  dir = tempDataDir('fuzz');
  fs.writeFileSync(`${dir}/output/a.png`, Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
  fs.symlinkSync('/etc/passwd', `${dir}/output/p.png`);
  server = await startServer(dir, { env: { LOOM_MAX_UPLOAD_BYTES: String(1 << 20) } });
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rand, n: number) => Math.floor(r() * n);

const PROCEDURES = [
  'nodes.list',
  'models.list',
  'models.hash',
  'jobs.enqueue',
  'jobs.cancel',
  'jobs.get',
  'jobs.list',
  'jobs.events',
  'inputs.list',
  'workflows.validate',
  'workflows.library.list',
  'workflows.library.load',
  'workflows.library.save',
  'workflows.library.delete',
  'nope',
  '',
];
const SEGMENTS = [
  '..',
  '%2e%2e',
  '%2F',
  '%00',
  '%',
  '%zz',
  'a.png',
  'p.png',
  'x.latent',
  '.hidden',
  'a b',
  '%E2%98%83',
  '~',
  'etc',
  'passwd',
  '',
  'x'.repeat(300),
];

function randomJson(r: Rand, depth: number): unknown {
  const k = int(r, depth > 6 ? 5 : 8);
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return pick(r, [0, -1, 1e308, 2 ** 53 + 1, 64, 65, -0, 0.5, 99999999]);
    case 3:
      return pick(r, ['', 'a.png', '../x', 'EmptyLatent', 'KSampler', 'latent', 'x'.repeat(int(r, 5000)), '\u0000', '🙂', '1.width']);
    case 4:
      return Array.from({ length: int(r, 4) }, () => randomJson(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = int(r, 5); i > 0; i--)
        o[
          pick(r, [
            'workflow',
            'nodes',
            'format',
            'version',
            'name',
            'id',
            'type',
            'params',
            'inputs',
            'class_type',
            'links',
            'overrides',
            'folder',
            'x',
          ])
        ] = randomJson(r, depth + 1);
      return o;
    }
  }
}

function randomBody(r: Rand): Buffer | undefined {
  switch (int(r, 8)) {
    case 0:
      return undefined;
    case 1:
      return Buffer.from(Array.from({ length: int(r, 65536) }, () => int(r, 256)));
    case 2:
      return Buffer.from(JSON.stringify(randomJson(r, 0)));
    case 3:
      return Buffer.from(JSON.stringify({ workflow: randomJson(r, 0), overrides: randomJson(r, 2) }));
    case 4:
      return Buffer.from(JSON.stringify({ 0: { workflow: randomJson(r, 0) }, 1: randomJson(r, 1) }));
    case 5: {
      const n = int(r, 5000);
      return Buffer.from(`${'['.repeat(n)}${']'.repeat(n)}`);
    }
    case 6:
      return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), Buffer.alloc(int(r, 2048))]);
    default:
      return Buffer.from(
        JSON.stringify({ workflow: latentWorkflow(pick(r, [8, 64, 65, 100000])), name: pick(r, ['a', '../b', '.c', 'x'.repeat(200)]) }),
      );
  }
}

function randomPath(r: Rand): string {
  const base = pick(r, ['/api/trpc/', '/api/trpc/', '/api/inputs/', '/outputs/', '/', '/api/', '/ws', '/api/trpc']);
  let p = base;
  if (base === '/api/trpc/') {
    p += int(r, 5) === 0 ? `${pick(r, PROCEDURES)},${pick(r, PROCEDURES)}` : pick(r, PROCEDURES);
  } else if (base !== '/ws') {
    for (let i = int(r, 4); i > 0; i--) p += `${pick(r, SEGMENTS)}${r() < 0.5 ? '/' : ''}`;
  }
  if (r() < 0.6) {
    const input = r() < 0.8 ? encodeURIComponent(JSON.stringify(randomJson(r, 0))) : pick(r, ['%', '{', '%7B%22a', 'null', '[[[[[[[[[[']);
    p += `?${pick(r, ['input', 'batch', 'token', 'x'])}=${input}${r() < 0.3 ? '&batch=1' : ''}`;
  }
  return p;
}

function randomHeaders(r: Rand, host: string): Record<string, string> {
  const h: Record<string, string> = {};
  h.host = r() < 0.85 ? host : pick(r, ['evil.example', `localhost:${host.split(':')[1]}`, '[::1]', '[::1', 'a:b:c', 'x'.repeat(300), '127.0.0.1:1']);
  if (r() < 0.5) h.origin = pick(r, [`http://${host}`, 'http://evil.example', 'null', 'garbage', '', `https://${host}`]);
  if (r() < 0.6)
    h['content-type'] = pick(r, [
      'application/json',
      'text/plain',
      'application/octet-stream',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
    ]);
  if (r() < 0.2) h.cookie = pick(r, ['loom_session=abc', 'a=b; loom_session=', ';;;', 'x'.repeat(1000)]);
  if (r() < 0.2) h.authorization = pick(r, ['Bearer x', 'Bearer', 'Basic Zm9vOmJhcg==', 'Bearer ' + 'y'.repeat(500)]);
  if (r() < 0.2) h['sec-fetch-site'] = pick(r, ['cross-site', 'same-origin', 'same-site', 'none']);
  if (r() < 0.1) h['sec-fetch-mode'] = pick(r, ['navigate', 'cors', 'no-cors']);
  if (r() < 0.1) h.accept = pick(r, ['text/event-stream', 'application/jsonl', '*/*']);
  if (r() < 0.1) h['trpc-accept'] = 'application/jsonl';
  if (r() < 0.1) Object.assign(h, { connection: 'Upgrade', upgrade: pick(r, ['websocket', 'h2c', 'x']) });
  return h;
}

interface Outcome {
  status: number | 'error';
  what: string;
}

function send(url: URL, method: string, path: string, headers: Record<string, string>, body: Buffer | undefined): Promise<Outcome> {
  const what = `${method} ${path.slice(0, 200)} ${JSON.stringify(headers).slice(0, 300)} body=${body?.length ?? 0}B`;
  return new Promise((resolve) => {
    let req: http.ClientRequest;
    try {
      req = http.request({ host: url.hostname, port: url.port, method, path, headers, agent: false }, (res) => {
        res.resume();
        // event streams never end by themselves: the status is all we need
        const done = () => resolve({ status: res.statusCode ?? 0, what });
        if (String(res.headers['content-type']).includes('event-stream')) {
          done();
          req.destroy();
        } else res.on('end', done).on('error', done);
      });
    } catch {
      return resolve({ status: 0, what }); // the client refused to send it (invalid header): not a server result
    }
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 101, what });
    });
    req.on('error', () => resolve({ status: 'error', what }));
    req.end(body);
  });
}

/** A malformed request straight onto a socket; the server must answer 4xx or close, never 5xx. */
function rawGarbage(url: URL, r: Rand): Promise<Outcome> {
  const lines = [
    'GET / HTTP/1.1\r\nHost: \r\n\r\n',
    'BREW /coffee HTCPCP/1.0\r\n\r\n',
    `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    `POST /api/trpc/jobs.enqueue HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: 100\r\n\r\n{"workflow":`,
    `POST /api/trpc/jobs.enqueue HTTP/1.1\r\nHost: ${url.host}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`,
    `GET /ws HTTP/1.1\r\nHost: ${url.host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nOrigin: http://evil.example\r\n\r\n`,
    Buffer.from(Array.from({ length: 200 }, () => int(r, 256))).toString('latin1'),
  ];
  const payload = pick(r, lines);
  return new Promise((resolve) => {
    const sock = net.connect(Number(url.port), url.hostname, () => sock.end(payload, 'latin1'));
    let got = '';
    sock.setTimeout(10_000, () => sock.destroy());
    sock.on('data', (b) => (got += b.toString('latin1')));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
      resolve({ status: m ? Number(m[1]) : 'error', what: `raw ${JSON.stringify(payload.slice(0, 80))}` });
    });
  });
}

describe('HTTP fuzz', () => {
  it(
    `random requests for ${DURATION_MS / 1000} s: no 5xx but 503/507, server stays up`,
    async () => {
      const url = new URL(server.url);
      const deadline = Date.now() + DURATION_MS;
      const bad: Outcome[] = [];
      let count = 0;
      let connErrors = 0;
      const worker = async (seed: number) => {
        const r = mulberry32(seed);
        while (Date.now() < deadline) {
          const outcome =
            r() < 0.05
              ? await rawGarbage(url, r)
              : await send(
                  url,
                  pick(r, ['GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH']),
                  randomPath(r),
                  randomHeaders(r, url.host),
                  randomBody(r),
                );
          count++;
          if (outcome.status === 'error') connErrors++;
          else if (outcome.status >= 500 && outcome.status !== 503 && outcome.status !== 507) bad.push(outcome);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => worker(SEED * 1000 + i)));
      expect(bad, bad.map((b) => `${b.status} ${b.what}`).join('\n')).toEqual([]);
      expect(count).toBeGreaterThan(200);
      // connection errors only where the server closes after refusing a body it will not read
      expect(connErrors).toBeLessThan(count / 4);
      expect(server.proc.exitCode).toBeNull();
      expect((await query(server.url, 'jobs.list')).status).toBe(200);
      expect(server.output()).not.toMatch(/uncaught|unhandled/i);
      console.log(`fuzz: ${count} requests, ${connErrors} closed by the server early`);
    },
    DURATION_MS + 60_000,
  );
});
