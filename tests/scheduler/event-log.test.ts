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

describe('EventLog previews', () => {
  it('keeps only the newest preview in the buffer', () => {
    const log = new EventLog(100, 0);
    for (let i = 1; i <= 3; i++) log.publish({ type: 'node.progress', jobId: 'a', nodeId: 's', step: i, total: 3, preview: `p${i}` });
    expect(log.since(0).map((e) => (e.type === 'node.progress' ? (e.preview ?? null) : null))).toEqual([null, null, 'p3']);
  });
});
