import { describe, expect, it } from 'vitest';
import { chooseJob, rankJobs, type Candidate } from '../../server/store/placement';
import { mulberry32 } from '../helpers/prng';

const policy = { stealAfter: 2, stealAfterMs: 10_000 };
const job = (id: string, keys: string[] = [], ageMs = 0): Candidate => ({ id, keys, ageMs });

describe('placement policy', () => {
  it('prefers jobs for checkpoints this worker holds, keeping queue order with checkpoint-free jobs', () => {
    const queue = [job('b1', ['b']), job('free1'), job('a1', ['a']), job('a2', ['a'])];
    expect(rankJobs(queue, new Set(['a']), [], policy).map((c) => `${c.id}:${c.placement}`)).toEqual(['free1:none', 'a1:hit', 'a2:hit', 'b1:miss']);
    expect(chooseJob(queue, new Set(['a']), [], policy)).toEqual({ id: 'free1', placement: 'none' });
    expect(chooseJob([job('b1', ['b']), job('a1', ['a'])], new Set(['a']), [], policy)).toEqual({ id: 'a1', placement: 'hit' });
  });

  it('leaves a job to the live worker holding its checkpoint, unless too many wait or it waited too long', () => {
    const holder = [new Set(['a'])];
    expect(chooseJob([job('a1', ['a']), job('a2', ['a'])], new Set(), holder, policy)).toBeNull();
    expect(chooseJob([job('a1', ['a']), job('a2', ['a']), job('a3', ['a'])], new Set(), holder, policy)).toEqual({ id: 'a1', placement: 'miss' });
    expect(chooseJob([job('a1', ['a'], 10_000)], new Set(), holder, policy)).toEqual({ id: 'a1', placement: 'miss' });
    // two holders share a backlog before a third worker loads it
    expect(chooseJob([job('a1', ['a']), job('a2', ['a']), job('a3', ['a'])], new Set(), [new Set(['a']), new Set(['a', 'x'])], policy)).toBeNull();
    // nobody holds it: the asking (idle, so least loaded) worker loads it
    expect(chooseJob([job('c1', ['c'])], new Set(['a']), holder, policy)).toEqual({ id: 'c1', placement: 'miss' });
    // a job loading two checkpoints is a hit only where both are held
    expect(chooseJob([job('m', ['a', 'b'])], new Set(['a']), [], policy)).toEqual({ id: 'm', placement: 'miss' });
    expect(chooseJob([job('m', ['a', 'b'])], new Set(['a', 'b']), [], policy)).toEqual({ id: 'm', placement: 'hit' });
  });

  it('FIFO mode ignores checkpoints (the baseline placement is measured against)', () => {
    expect(rankJobs([job('a1', ['a']), job('b1', ['b'])], new Set(['b']), [new Set(['a'])], { ...policy, fifo: true }).map((c) => c.id)).toEqual([
      'a1',
      'b1',
    ]);
  });

  /** 3 workers holding one checkpoint each (the newest), 90 jobs over 3 checkpoints; a load costs as much as a job. */
  function simulate(fifo: boolean): number {
    const rand = mulberry32(7);
    let queue: Candidate[] = Array.from({ length: 90 }, (_, i) => job(`j${i}`, [['a', 'b', 'c'][Math.floor(rand() * 3)]]));
    const workers = [0, 1, 2].map(() => ({ held: new Set<string>(), busyUntil: 0, running: [] as string[] }));
    let hits = 0;
    for (let t = 0; queue.length > 0; t++) {
      for (const [i, w] of workers.entries()) {
        if (w.busyUntil > t) continue;
        const others = workers.filter((_, k) => k !== i).map((o) => new Set([...o.held, ...(o.busyUntil > t ? o.running : [])]));
        const c = chooseJob(
          queue.map((q) => ({ ...q, ageMs: 0 })),
          w.held,
          others,
          { ...policy, stealAfter: 4, fifo },
        );
        if (!c) continue;
        const picked = queue.find((q) => q.id === c.id) as Candidate;
        queue = queue.filter((q) => q.id !== c.id);
        if (c.placement === 'hit') hits++;
        w.busyUntil = t + (c.placement === 'hit' ? 1 : 2);
        w.held = new Set(picked.keys);
        w.running = picked.keys.slice();
      }
    }
    return hits / 90;
  }

  it('keeps >= 90 % of a mixed workload on warm workers where FIFO manages about a third', () => {
    const placed = simulate(false);
    const fifo = simulate(true);
    console.log(`simulated hit rate: placement ${(placed * 100).toFixed(1)} %, FIFO ${(fifo * 100).toFixed(1)} %`);
    expect(placed).toBeGreaterThanOrEqual(0.9);
    expect(fifo).toBeLessThan(0.5);
  });
});
