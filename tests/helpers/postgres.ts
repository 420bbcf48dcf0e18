/**
 * A throwaway PostgreSQL cluster for tests and the queue bench: initdb in a temp folder, listening on
 * loopback on a free port, stopped and deleted afterwards. Uses Debian's binaries (/usr/lib/postgresql/N/bin
 * or PATH). PostgreSQL refuses to run as root, so as root it runs as the `postgres` user (or `nobody`).
 * In CI a missing PostgreSQL fails the suite; elsewhere the suites skip with a message.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';

export function findPgBin(): string | null {
  const candidates: string[] = [];
  try {
    for (const v of fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)))
      candidates.push(path.join('/usr/lib/postgresql', v, 'bin'));
  } catch {
    // not Debian's layout
  }
  candidates.push(...(process.env.PATH ?? '').split(path.delimiter));
  return candidates.find((dir) => dir && fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl'))) ?? null;
}

export const pgBin = findPgBin();
export const pgAvailable = pgBin !== null;
/** suites that need PostgreSQL: always in CI (they fail if it cannot start), else only where it is installed */
export const describePostgres = process.env.CI === 'true' || pgAvailable ? describe : describe.skip;
if (!pgAvailable && process.env.CI !== 'true')
  console.warn('PostgreSQL (initdb/pg_ctl) not found: PostgreSQL suites are skipped (apt-get install -y postgresql).');

function runAsUser(): string | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const hasPostgres = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).status === 0;
  return hasPostgres ? 'postgres' : 'nobody';
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface PgCluster {
  port: number;
  /** postgres://loom@127.0.0.1:PORT/<db> */
  url(db?: string): string;
  /** a fresh, empty database; returns its URL */
  createDatabase(name: string): Promise<string>;
  /** stops and starts the server again (clients see their connections drop) */
  restart(): void;
  /** stops the server (fast shutdown: clients are disconnected) until resume() */
  pause(): void;
  resume(): void;
  stop(): void;
}

export async function startPostgres(): Promise<PgCluster> {
  if (!pgBin) throw new Error('PostgreSQL is not installed (no initdb/pg_ctl in /usr/lib/postgresql/*/bin or PATH): apt-get install -y postgresql');
  const user = runAsUser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-pg-'));
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  if (user) spawnSync('chown', ['-R', user, dir]);
  const run = (bin: string, args: string[]) => {
    const cmd = user ? ['runuser', '-u', user, '--', path.join(pgBin, bin), ...args] : [path.join(pgBin, bin), ...args];
    const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) {
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2000) : '';
      throw new Error(`${bin} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}${r.error ? r.error.message : ''}\n${log}`);
    }
  };
  run('initdb', ['-D', data, '-U', 'loom', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
  const port = await freePort();
  const serverOpts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
  const start = () => run('pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '60', '-o', serverOpts, 'start']);
  start();
  const url = (db = 'postgres') => `postgres://loom@127.0.0.1:${port}/${db}`;
  let stopped = false;
  return {
    port,
    url,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      const c = new pg.Client({ connectionString: url() });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name}`);
      } finally {
        await c.end();
      }
      return url(name);
    },
    restart() {
      run('pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '60', '-m', 'fast', '-o', serverOpts, 'restart']);
    },
    pause() {
      run('pg_ctl', ['-D', data, '-w', '-t', '60', '-m', 'fast', 'stop']);
    },
    resume: start,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-w', '-t', '30', '-m', 'immediate', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
