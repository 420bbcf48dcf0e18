/**
 * Versioned schema migrations, applied in name order by Kysely's Migrator (which takes a lock, so
 * processes starting together against one PostgreSQL database migrate once). Add a file, add a line.
 */
import { Migrator, type Kysely, type Migration } from 'kysely';
import type { StoreKind } from '../types';
import * as m001 from './001-initial';

type Step = { up(db: Kysely<unknown>, kind: StoreKind): Promise<void> };
const STEPS: Record<string, Step> = { '001-initial': m001 };

export async function migrate(db: Kysely<unknown>, kind: StoreKind): Promise<void> {
  const migrations: Record<string, Migration> = {};
  for (const [name, step] of Object.entries(STEPS)) migrations[name] = { up: (k) => step.up(k as Kysely<unknown>, kind) };
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'loom_migrations',
    migrationLockTableName: 'loom_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? '?';
    throw new Error(`store migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
