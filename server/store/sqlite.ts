/**
 * The embedded store: one SQLite file in LOOM_STATE_DIR (WAL, synchronous=FULL: a commit is on disk when
 * it returns). The file is held with an exclusive lock, so a second server on the same state folder is
 * refused at start instead of corrupting the queue; workers on other processes need PostgreSQL.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';
import type { JobEventBody } from '../scheduler/events';
import { classifyStoreError } from './errors';
import { importJournal } from './journal-import';
import { KyselyJobStore } from './kysely-store';
import { LocalNotifier } from './local-notifier';
import { migrate } from './migrations/index';
import type { Database as Tables } from './schema';
import type { StoreHandle } from './types';

export const SQLITE_FILE = 'loom.sqlite';

/**
 * SQLite rolls a transaction back by itself when a write fails for want of space (SQLITE_FULL); Kysely's
 * ROLLBACK would then fail with "no transaction is active" and hide the real error, so skip it in that case.
 */
class SqliteStoreDialect extends SqliteDialect {
  constructor(private readonly sqlite: Database.Database) {
    super({ database: sqlite });
  }

  override createDriver(): Driver {
    const sqlite = this.sqlite;
    return new (class extends SqliteDriver {
      override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
        if (sqlite.inTransaction) await super.rollbackTransaction(connection);
      }
    })({ database: sqlite });
  }
}

export interface SqliteOptions {
  /** the state folder, or null for a store in memory (CLI runs) */
  stateDir: string | null;
  /** where job events go (the process's EventLog) */
  sink: ((body: JobEventBody) => void) | null;
  warn?: (msg: string) => void;
}

export async function openSqlite(opts: SqliteOptions): Promise<StoreHandle & { sqlite: Database.Database }> {
  const warn = opts.warn ?? ((m: string) => console.warn(m));
  let file = ':memory:';
  if (opts.stateDir) {
    fs.mkdirSync(opts.stateDir, { recursive: true });
    file = path.join(opts.stateDir, SQLITE_FILE);
  }
  const sqlite = new Database(file);
  try {
    sqlite.pragma('busy_timeout = 1000');
    sqlite.pragma('locking_mode = EXCLUSIVE');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    // the first write takes the exclusive lock for the life of this connection
    sqlite.exec('CREATE TABLE IF NOT EXISTS loom_owner (pid INTEGER)');
    sqlite.prepare('DELETE FROM loom_owner').run();
    sqlite.prepare('INSERT INTO loom_owner (pid) VALUES (?)').run(process.pid);
  } catch (e) {
    sqlite.close();
    if ((e as { code?: string }).code === 'SQLITE_BUSY') {
      throw new Error(
        `${file} is in use by another Latent Loom process: one server per state folder (LOOM_STATE_DIR); for several processes use PostgreSQL (LOOM_DATABASE_URL).`,
        { cause: e },
      );
    }
    throw classifyStoreError(e);
  }
  const db = new Kysely<Tables>({ dialect: new SqliteStoreDialect(sqlite) });
  try {
    await migrate(db as unknown as Kysely<unknown>, 'sqlite');
    if (opts.stateDir) {
      const n = await importJournal(db, opts.stateDir, warn);
      if (n > 0) warn(`Imported ${n} job(s) from ${path.join(opts.stateDir, 'journal.jsonl')} into ${SQLITE_FILE}.`);
    }
  } catch (e) {
    await db.destroy();
    throw classifyStoreError(e);
  }
  const store = new KyselyJobStore('sqlite', db, { afterCommit: (body) => opts.sink?.(body) });
  return { store, notifier: new LocalNotifier(opts.sink), sqlite };
}
