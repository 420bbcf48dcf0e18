/**
 * The JSONL journal older versions kept the queue and history in (one fsynced record per event). The store
 * (server/store/) replaced it: replay() folds an existing journal into jobs for the one-time import; the
 * writer remains so tests can produce journals as the old server did.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { jobErrorSchema, jobRecordSchema, outputFileSchema, type JobRecord } from './job';

const recordSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('accepted'), job: jobRecordSchema }),
  z.object({ t: z.literal('started'), id: z.string(), at: z.string() }),
  z.object({ t: z.literal('finished'), id: z.string(), at: z.string(), files: z.array(outputFileSchema) }),
  z.object({ t: z.literal('failed'), id: z.string(), at: z.string(), error: jobErrorSchema }),
  z.object({ t: z.literal('cancelled'), id: z.string(), at: z.string() }),
]);
export type JournalRecord = z.infer<typeof recordSchema>;

export class Journal {
  private fd: number;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    dropTornTail(file);
    this.fd = fs.openSync(file, 'a');
  }

  append(record: JournalRecord): void {
    fs.writeSync(this.fd, `${JSON.stringify(record)}\n`);
    fs.fsyncSync(this.fd);
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  /** Jobs in acceptance order. A torn last line (crash mid-write) is skipped; other bad lines are reported. */
  static replay(file: string, warn: (msg: string) => void = () => {}): JobRecord[] {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return [];
    }
    const jobs = new Map<string, JobRecord>();
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let rec: JournalRecord;
      try {
        rec = recordSchema.parse(JSON.parse(line));
      } catch {
        if (i < lines.length - 1 && lines[i + 1] !== '') warn(`${file}:${i + 1}: unreadable journal record skipped`);
        return;
      }
      if (rec.t === 'accepted') {
        jobs.set(rec.job.id, rec.job);
        return;
      }
      const job = jobs.get(rec.id);
      if (!job) return;
      if (rec.t === 'started') jobs.set(rec.id, { ...job, status: 'running', startedAt: rec.at, attempts: job.attempts + (job.startedAt ? 1 : 0) });
      else if (rec.t === 'finished') jobs.set(rec.id, { ...job, status: 'finished', finishedAt: rec.at, files: rec.files });
      else if (rec.t === 'failed') jobs.set(rec.id, { ...job, status: 'failed', finishedAt: rec.at, error: rec.error });
      else jobs.set(rec.id, { ...job, status: 'cancelled', finishedAt: rec.at });
    });
    return [...jobs.values()];
  }
}

/** A record cut short by a crash would glue onto the next append: cut the file back to its last newline. */
function dropTornTail(file: string): void {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return;
  }
  if (size === 0) return;
  const fd = fs.openSync(file, 'r+');
  try {
    const chunk = Buffer.alloc(Math.min(size, 1 << 20));
    fs.readSync(fd, chunk, 0, chunk.length, size - chunk.length);
    if (chunk[chunk.length - 1] === 0x0a) return;
    const nl = chunk.lastIndexOf(0x0a);
    fs.ftruncateSync(fd, nl < 0 ? size - chunk.length : size - chunk.length + nl + 1);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
