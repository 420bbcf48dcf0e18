import { describe, expect, it } from 'vitest';
import type { JobEvent } from '@/app/lib/engineApi';
import { reduceEvent, useRunStore, type RunState } from '@/app/stores/runStore';
import { segmentPrompt } from '@/app/lib/promptWeights';

type S = Pick<RunState, 'activeJobId' | 'nodes' | 'progress' | 'previews' | 'warnings' | 'outputs' | 'gallery'>;
const empty: S = { activeJobId: 'j1', nodes: {}, progress: null, previews: {}, warnings: {}, outputs: {}, gallery: [] };

type Body<E = JobEvent> = E extends JobEvent ? Omit<E, 'jobId' | 'id' | 'time'> : never;
const stamp = (e: Body, i: number) => ({ ...e, jobId: 'j1', id: i, time: '2026-01-01T00:00:00Z' }) as JobEvent;

function run(events: Body[]): S {
  return events.reduce<S>((s, e, i) => ({ ...s, ...reduceEvent(s, stamp(e, i), 1000 * (i + 1)) }), empty);
}

describe('run state from job events', () => {
  it('tracks node states, sampler progress with previews, and outputs', () => {
    const mid = run([
      { type: 'job.started' },
      { type: 'node.cached', nodeId: 'ckpt' },
      { type: 'node.started', nodeId: 'sampler' },
      { type: 'node.progress', nodeId: 'sampler', step: 1, total: 4, preview: 'data:image/png;base64,AA' },
      { type: 'node.progress', nodeId: 'sampler', step: 2, total: 4 },
    ]);
    expect(mid.nodes.ckpt?.state).toBe('cached');
    expect(mid.nodes.sampler).toEqual({ state: 'running', step: 2, total: 4 });
    expect(mid.progress).toMatchObject({ step: 2, total: 4, startedAt: 4000, lastAt: 5000 });
    expect(mid.previews.sampler).toBe('data:image/png;base64,AA');

    const end = { ...mid, ...reduceEvent(mid, stamp({ type: 'job.finished', ms: 5, files: [{ path: 'a b/x.png', kind: 'image', nodeId: 'save' }] }, 9)) };
    expect(end.outputs.save).toEqual(['/outputs/a%20b/x.png']);
    expect(end.gallery[0]).toEqual({ jobId: 'j1', node: 'save', url: '/outputs/a%20b/x.png' });
    expect(end.nodes.sampler?.state).toBe('done');
    expect(end.activeJobId).toBeNull();
  });

  it('keeps node warnings through the node finishing', () => {
    const s = run([
      { type: 'node.started', nodeId: 'lora' },
      { type: 'node.warning', nodeId: 'lora', message: 'LoRA "x": 2 keys matched nothing' },
      { type: 'node.finished', nodeId: 'lora', ms: 3 },
    ]);
    expect(s.warnings.lora).toEqual(['LoRA "x": 2 keys matched nothing']);
    expect(s.nodes.lora?.state).toBe('done');
  });

  it('puts a failure on the node it names', () => {
    const s = run([{ type: 'job.failed', error: { message: 'out of memory', nodeId: 'sampler' } }]);
    expect(s.nodes.sampler).toEqual({ state: 'error', message: 'out of memory' });
  });
});

describe('prompt weight segments', () => {
  it('marks (phrase:weight) groups and keeps every character', () => {
    const text = 'a (red fox:1.2) and (snow:0.8)';
    const segs = segmentPrompt(text);
    expect(segs.map((s) => s.text).join('')).toBe(text);
    expect(segs.filter((s) => s.weight !== undefined).map((s) => s.weight)).toEqual([1.2, 0.8]);
  });
});

describe('run store', () => {
  it('applies the events of a job that finished before its enqueue answer arrived', () => {
    const store = useRunStore.getState();
    const ev = (e: Body, i: number, jobId = 'fast') => ({ ...e, jobId, id: 100 + i, time: '2026-01-01T00:00:00Z' }) as JobEvent;
    store.applyEvent(ev({ type: 'job.started' }, 1));
    store.applyEvent(ev({ type: 'job.started' }, 2, 'someone-else'));
    store.applyEvent(ev({ type: 'node.cached', nodeId: 'ckpt' }, 3));
    store.applyEvent(ev({ type: 'job.finished', ms: 4, files: [{ path: 'x.png', kind: 'image', nodeId: 'save' }] }, 4));
    expect(useRunStore.getState().outputs.save).toBeUndefined();
    store.jobQueued('fast', ['ckpt', 'save']);
    const s = useRunStore.getState();
    expect(s.outputs.save).toEqual(['/outputs/x.png']);
    expect(s.nodes).toEqual({ ckpt: { state: 'cached' }, save: { state: 'done' } });
    expect(s.activeJobId).toBeNull();
    // replayed once: queueing the same id again starts clean
    store.jobQueued('fast', ['save']);
    expect(useRunStore.getState().nodes).toEqual({ save: { state: 'queued' } });
  });
});
