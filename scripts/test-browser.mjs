#!/usr/bin/env node
/**
 * Browser tests: build if needed, start the app on a free loopback port with a throwaway data dir
 * holding the tiny SD1 fixture, run Playwright in Debian chromium, stop the server, exit with its status.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = '/usr/bin/chromium';
const ci = process.env.CI === 'true';

function fail(message) {
  console.error(`test-browser: ${message}`);
  process.exit(1);
}

if (!existsSync(CHROMIUM)) fail(`${CHROMIUM} not found (apt-get install -y chromium)`);

const goldenDir = process.env.LOOM_GOLDEN_DIR ?? path.resolve(root, '../shared/golden');
const tinyCheckpoint = path.join(goldenDir, 'tiny-sd1/model.safetensors');
const haveGolden = existsSync(tinyCheckpoint);
if (!haveGolden && ci) fail(`golden checkpoint missing at ${tinyCheckpoint} (set LOOM_GOLDEN_DIR); CI never skips it`);
if (!haveGolden) console.warn(`test-browser: ${tinyCheckpoint} missing; tests that need the tiny model will fail`);

/** Newest mtime under the UI sources, to rebuild only when they changed since the last build. */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of spawnSync('find', [dir, '-type', 'f', '-newer', path.join(root, '.next/BUILD_ID')], { encoding: 'utf8' }).stdout.split(
      '\n',
    )) {
      if (entry) newest = Math.max(newest, statSync(entry).mtimeMs);
    }
  };
  for (const d of ['app', 'nodes', 'public']) walk(path.join(root, d));
  return newest;
}

function build() {
  // next build rewrites tsconfig.json's formatting; keep the shared file as the team wrote it.
  const tsconfig = readFileSync(path.join(root, 'tsconfig.json'), 'utf8');
  console.log('test-browser: next build');
  const res = spawnSync('npx', ['next', 'build'], { cwd: root, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  // only when next changed it: rewriting bumps the mtime and would make `npm start` rebuild for nothing
  if (readFileSync(path.join(root, 'tsconfig.json'), 'utf8') !== tsconfig) writeFileSync(path.join(root, 'tsconfig.json'), tsconfig);
  if (res.status !== 0) fail('next build failed');
}

const needsBuild = process.env.LOOM_REBUILD === '1' || !existsSync(path.join(root, '.next/BUILD_ID')) || newestSource() > 0;
if (needsBuild) build();

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function makeDataDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loom-browser-'));
  for (const sub of ['models/checkpoints', 'models/loras', 'models/vae', 'models/clip', 'models/embeddings', 'input', 'output', 'workflows']) {
    mkdirSync(path.join(dir, sub), { recursive: true });
  }
  const place = (from, to) => {
    if (!existsSync(from)) return;
    try {
      linkSync(from, to);
    } catch {
      copyFileSync(from, to); // across filesystems a hard link is impossible
    }
  };
  place(tinyCheckpoint, path.join(dir, 'models/checkpoints/tiny-sd1.safetensors'));
  place(path.join(goldenDir, 'clip/bpe_simple_vocab_16e6.txt.gz'), path.join(dir, 'models/clip/bpe_simple_vocab_16e6.txt.gz'));
  return dir;
}

async function waitForHttp(url, server, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) fail(`server exited early with ${server.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  fail(`server did not answer ${url} within ${timeoutMs} ms`);
}

const port = await freePort();
const dataDir = makeDataDir();
const baseURL = `http://127.0.0.1:${port}`;
const customServer = path.join(root, 'server/http/main.ts');
const env = { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOOM_DATA_DIR: dataDir, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' };
const [cmd, args] = existsSync(customServer) ? ['npx', ['tsx', customServer]] : ['npx', ['next', 'start', '-H', '127.0.0.1', '-p', String(port)]];
console.log(`test-browser: ${cmd} ${args.join(' ')} on ${baseURL}, data in ${dataDir}`);
const server = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'], detached: true });

let status = 1;
try {
  await waitForHttp(baseURL, server, 120_000);
  const res = spawnSync('npx', ['playwright', 'test', '--config', 'playwright.config.ts', ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, LOOM_BASE_URL: baseURL, LOOM_DATA_DIR: dataDir },
  });
  status = res.status ?? 1;
} finally {
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  if (status === 0) rmSync(dataDir, { recursive: true, force: true });
  else console.log(`test-browser: kept ${dataDir} for inspection`);
}
process.exit(status);
