import { beforeEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '@/app/lib/engineApi';
import { reduceCanvas, reduceRunning, useRunStore, type CanvasRun } from '@/app/stores/runStore';
import { segmentPrompt } from '@/app/lib/promptWeights';

type S = CanvasRun & { mine: Record<string, string[]> };
const empty: S = {
  canvasJobId: 'j1',
  canvasEnded: false,
  nodes: {},
  previews: {},
  warnings: {},
  outputs: {},
  mine: { j1: ['ckpt', 'sampler', 'save'] },
};

type Body<E = JobEvent> = E extends JobEvent ? Omit<E, 'jobId' | 'id' | 'time'> : never;
const stamp = (e: Body, i: number, jobId = 'j1') => ({ ...e, jobId, id: i, time: '2026-01-01T00:00:00Z' }) as JobEvent;

function run(events: Body[], from: S = empty): S {
  let s = from;
  events.forEach((e, i) => {
    s = { ...s, ...reduceCanvas(s, stamp(e, i)) };
  });
  return s;
}

beforeEach(() => {
  useRunStore.setState({
    canvasJobId: null,
    canvasEnded: true,
    nodes: {},
    previews: {},
    warnings: {},
    outputs: {},
    mine: {},
    running: null,
    lastEnded: null,
  });
});

describe('canvas state from job events', () => {
  it('tracks node states and previews, then outputs', () => {
    const mid = run([
      { type: 'job.started' },
      { type: 'node.cached', nodeId: 'ckpt' },
      { type: 'node.started', nodeId: 'sampler' },
      { type: 'node.progress', nodeId: 'sampler', step: 1, total: 4, preview: 'data:image/png;base64,AA' },
      { type: 'node.progress', nodeId: 'sampler', step: 2, total: 4 },
    ]);
    expect(mid.nodes).toEqual({ ckpt: { state: 'cached' }, sampler: { state: 'running', step: 2, total: 4 }, save: { state: 'queued' } });
    expect(mid.previews.sampler).toBe('data:image/png;base64,AA');

    const end = run([{ type: 'job.finished', ms: 5, files: [{ path: 'a b/x.png', kind: 'image', nodeId: 'save' }] }], mid);
    expect(end.outputs.save).toEqual(['/outputs/a%20b/x.png']);
    expect(end.nodes.sampler?.state).toBe('done');
    expect(end.canvasEnded).toBe(true);
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

  it('puts a failure on the node it names, with the input at fault', () => {
    const s = run([{ type: 'job.failed', error: { message: 'out of memory', nodeId: 'sampler', input: 'steps' } }]);
    expect(s.nodes.sampler).toEqual({ state: 'error', message: 'out of memory', input: 'steps' });
  });

  it('a model load shows as its stage on the node, then sampling steps replace it', () => {
    const loading = run([
      { type: 'node.started', nodeId: 'sampler' },
      { type: 'node.progress', nodeId: 'sampler', step: 0, total: 1, stage: 'loading model' },
    ]);
    expect(loading.nodes.sampler).toEqual({ state: 'running', step: 0, total: 1, stage: 'loading model' });
    const sampling = run([{ type: 'node.progress', nodeId: 'sampler', step: 1, total: 4 }], loading);
    expect(sampling.nodes.sampler).toEqual({ state: 'running', step: 1, total: 4 });
  });

  it('a cancelled job leaves no states and no stale preview', () => {
    const s = run([{ type: 'node.progress', nodeId: 'sampler', step: 1, total: 9, preview: 'data:x' }, { type: 'job.cancelled' }]);
    expect(s.nodes).toEqual({});
    expect(s.previews).toEqual({});
  });

  it('ignores events of another job than the one shown', () => {
    const s = { ...empty, ...reduceCanvas(empty, stamp({ type: 'node.started', nodeId: 'ckpt' }, 1, 'other')) };
    expect(s.nodes).toEqual({});
  });
});

describe('the running job (header)', () => {
  it('follows whichever job runs, and remembers how the last one ended', () => {
    let s = { running: null, lastEnded: null } as Parameters<typeof reduceRunning>[0];
    s = { ...s, ...reduceRunning(s, stamp({ type: 'job.started' }, 1, 'a')) };
    s = { ...s, ...reduceRunning(s, stamp({ type: 'node.progress', nodeId: 'k', step: 3, total: 10 }, 2, 'a'), 1000) };
    expect(s.running).toMatchObject({ jobId: 'a', progress: { step: 3, total: 10 } });
    // a load before the steps: its own stage, and the ETA clock restarts at the first sampling step
    const l = { ...s, ...reduceRunning(s, stamp({ type: 'node.progress', nodeId: 'k', step: 0, total: 1, stage: 'loading model' }, 2, 'a'), 1500) };
    expect(l.running?.progress).toMatchObject({ stage: 'loading model', startedAt: 1500 });
    expect(reduceRunning(l, stamp({ type: 'node.progress', nodeId: 'k', step: 1, total: 10 }, 2, 'a'), 1800).running?.progress).toMatchObject({
      startedAt: 1800,
    });
    s = { ...s, ...reduceRunning(s, stamp({ type: 'job.cancelled' }, 3, 'a')) };
    expect(s.running).toBeNull();
    expect(s.lastEnded).toEqual({ jobId: 'a', status: 'cancelled' });
    s = { ...s, ...reduceRunning(s, stamp({ type: 'job.started' }, 4, 'b')) };
    expect(s).toMatchObject({ running: { jobId: 'b' }, lastEnded: null });
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
    expect(s.canvasEnded).toBe(true);
    // replayed once: queueing the same id again starts clean
    store.jobQueued('fast', ['save']);
    expect(useRunStore.getState().nodes).toEqual({ save: { state: 'queued' } });
  });

  it('with several jobs queued, the canvas moves to each as it starts and keeps every output', () => {
    const store = useRunStore.getState();
    const ev = (e: Body, i: number, jobId: string) => ({ ...e, jobId, id: 200 + i, time: '2026-01-01T00:00:00Z' }) as JobEvent;
    store.jobQueued('a', ['save']);
    store.jobQueued('b', ['save']);
    expect(useRunStore.getState().canvasJobId).toBe('a');
    store.applyEvent(ev({ type: 'job.started' }, 1, 'a'));
    store.applyEvent(ev({ type: 'job.finished', ms: 1, files: [{ path: 'a.png', kind: 'image', nodeId: 'save' }] }, 2, 'a'));
    expect(useRunStore.getState().outputs.save).toEqual(['/outputs/a.png']);
    store.applyEvent(ev({ type: 'job.started' }, 3, 'b'));
    expect(useRunStore.getState()).toMatchObject({ canvasJobId: 'b', running: { jobId: 'b' }, nodes: { save: { state: 'queued' } } });
    store.applyEvent(ev({ type: 'job.finished', ms: 1, files: [{ path: 'b.png', kind: 'image', nodeId: 'save' }] }, 4, 'b'));
    expect(useRunStore.getState()).toMatchObject({
      outputs: { save: ['/outputs/b.png'] },
      running: null,
      lastEnded: { jobId: 'b', status: 'finished' },
    });
  });

  it('loading another workflow detaches the old jobs from the canvas', () => {
    const store = useRunStore.getState();
    store.jobQueued('old', ['sampler']);
    store.clearCanvas();
    store.applyEvent({ type: 'job.started', jobId: 'old', id: 1, time: 't' });
    store.applyEvent({ type: 'node.progress', jobId: 'old', nodeId: 'sampler', step: 1, total: 2, preview: 'data:x', id: 2, time: 't' });
    const s = useRunStore.getState();
    expect(s.nodes).toEqual({});
    expect(s.previews).toEqual({});
    // the header still follows it
    expect(s.running?.jobId).toBe('old');
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
