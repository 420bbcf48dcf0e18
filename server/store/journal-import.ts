/**
 * One-time import of the JSONL journal (the queue before the SQLite store) on first start: every job,
 * in its order, with its state, workflow, files and errors. The journal is then renamed *.imported, so a
 * later start does not import it twice; a job that was running when the old server died comes in as an
 * orphaned running job, which the retry cap then handles like any worker death.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { Journal } from '../scheduler/journal';
import type { Database } from './schema';

export const JOURNAL_FILE = 'journal.jsonl';
/** owner of imported running jobs: no live worker has this id */
export const JOURNAL_OWNER = 'journal-import';

export async function importJournal(db: Kysely<Database>, stateDir: string, warn: (msg: string) => void): Promise<number> {
  const file = path.join(stateDir, JOURNAL_FILE);
  if (!fs.existsSync(file)) return 0;
  const jobs = Journal.replay(file, warn);
  let imported = 0;
  await db.transaction().execute(async (trx) => {
    for (const job of jobs) {
      const exists = await trx.selectFrom('jobs').select('id').where('id', '=', job.id).executeTakeFirst();
      if (exists) continue; // a crash between commit and rename: already imported
      await trx
        .insertInto('jobs')
        .values({
          id: job.id,
          status: job.status,
          workflow: JSON.stringify(job.workflow),
          title: job.workflow.meta?.title ?? null,
          model_keys: '[]',
          created_at: job.createdAt,
          enqueued_ms: Date.parse(job.createdAt) || 0,
          started_at: job.startedAt ?? null,
          finished_at: job.finishedAt ?? null,
          files: JSON.stringify(job.files),
          error: job.error ? JSON.stringify(job.error) : null,
          // the journal counted restarts (starts after the first); the store counts starts
          attempts: job.startedAt ? job.attempts + 1 : 0,
          lease_owner: job.status === 'running' ? JOURNAL_OWNER : null,
          lease_expires_ms: job.status === 'running' ? 0 : null,
          cancel_requested: 0,
        })
        .execute();
      imported++;
    }
    await trx
      .insertInto('meta')
      .values({ key: 'journal_imported', value: JSON.stringify({ at: new Date().toISOString(), jobs: jobs.length }) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify({ at: new Date().toISOString(), jobs: jobs.length }) }))
      .execute();
  });
  fs.renameSync(file, `${file}.imported`);
  return imported;
}
