#!/usr/bin/env node
// `npm start`: builds the UI with `next build` when .next/BUILD_ID is missing or older than the
// sources it bundles, then runs the one HTTP server (tRPC + outputs + Next) on loopback.
// Extra arguments go to the server: npm start -- --models-dir /data/models
// HOST other than loopback needs a token: the server prints a generated one (and its sign-in URL),
// or uses LOOM_API_TOKEN; every interface (HOST=0.0.0.0 or ::) needs LOOM_API_TOKEN (docs/security.md).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const UI_SOURCES = ['app', 'nodes', 'public', 'next.config.js', 'package.json', 'postcss.config.mjs', 'tsconfig.json'];

function newestMtime(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of fs.readdirSync(p)) {
    if (e === 'node_modules' || e.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(path.join(p, e)));
  }
  return newest;
}

// the server refuses this too; checked here first so nobody waits for a UI build to be told
const host = (process.env.HOST ?? '127.0.0.1').trim();
if (['0.0.0.0', '::', '[::]', ''].includes(host) && !process.env.LOOM_API_TOKEN?.trim()) {
  console.error(
    `Latent Loom: refusing to listen on every interface (HOST=${host || '""'}) without a token. Set LOOM_API_TOKEN (e.g. LOOM_API_TOKEN=$(openssl rand -hex 32)), or bind one address, or keep HOST=127.0.0.1.`,
  );
  process.exit(1);
}

const buildId = path.join(root, '.next', 'BUILD_ID');
const built = fs.existsSync(buildId) ? fs.statSync(buildId).mtimeMs : 0;
const sources = Math.max(...UI_SOURCES.map((s) => newestMtime(path.join(root, s))));
if (built < sources) {
  console.log(built ? 'UI sources changed: running next build…' : 'No UI build yet: running next build…');
  const r = spawnSync(bin('next'), ['build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// node --import tsx (not the tsx CLI): one server process, so signals reach it directly
const child = spawn(process.execPath, ['--import', 'tsx', 'server/http/main.ts', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, HOST: process.env.HOST ?? '127.0.0.1', NODE_ENV: 'production' },
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
