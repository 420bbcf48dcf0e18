import { describe, expect, it } from 'vitest';
import { EventLog } from '../../server/scheduler/event-log';

describe('EventLog', () => {
  it('gives increasing ids and resumes after a given id', async () => {
    const log = new EventLog(100, 0);
    log.publish({ type: 'job.started', jobId: 'a' });
    const second = log.publish({ type: 'job.cancelled', jobId: 'a' });
    const ac = new AbortController();
    const got: number[] = [];
    const sub = (async () => {
      for await (const e of log.subscribe(1, ac.signal)) {
        got.push(e.id);
        if (got.length === 2) ac.abort();
      }
    })();
    log.publish({ type: 'job.started', jobId: 'b' });
    await sub;
    expect(second.id).toBe(2);
    expect(got).toEqual([2, 3]);
  });
});
