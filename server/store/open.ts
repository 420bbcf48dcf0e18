/** Picks the backend: PostgreSQL when LOOM_DATABASE_URL is set, else SQLite in the state folder (or in memory). */
import type { JobEvent, JobEventBody } from '../scheduler/events';
import { openPostgres } from './postgres';
import { openSqlite } from './sqlite';
import type { StoreHandle } from './types';

export interface OpenStoreOptions {
  /** postgres://…; absent: the embedded SQLite store */
  databaseUrl?: string;
  /** state folder for SQLite; null: in memory (nothing survives the process) */
  stateDir: string | null;
  /** this process's event log; embedded events arrive without ids (the log numbers them), shared ones with theirs */
  events: { publish(body: JobEventBody): unknown; append(event: JobEvent): unknown } | null;
  poolSize?: number;
  log?: (msg: string) => void;
}

export function databaseUrlFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const url = env.LOOM_DATABASE_URL?.trim();
  return url ? url : undefined;
}

export async function openStore(opts: OpenStoreOptions): Promise<StoreHandle> {
  const events = opts.events;
  if (opts.databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(opts.databaseUrl)) throw new Error('LOOM_DATABASE_URL must be a postgres:// or postgresql:// URL.');
    return openPostgres({ url: opts.databaseUrl, sink: events ? (e) => events.append(e) : null, poolSize: opts.poolSize, log: opts.log });
  }
  return openSqlite({ stateDir: opts.stateDir, sink: events ? (b) => events.publish(b) : null, warn: opts.log });
}
