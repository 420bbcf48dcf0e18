/** Our events turned into ComfyUI's WebSocket messages: order, routing, cached nodes, previews, errors, interrupts. */
import { describe, expect, it } from 'vitest';
import { ComfyMessages, previewFrame, type JobInfo, type Outgoing } from '../../server/comfy/messages';
import type { JobEvent, JobEventBody } from '../../server/scheduler/events';

const PNG_1x1 = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

function setup(infos: Record<string, JobInfo | null> = {}) {
  const looked: string[] = [];
  const m = new ComfyMessages({
    lookup: async (id) => {
      looked.push(id);
      return infos[id] ?? null;
    },
    scrub: (s) => s.replace('/srv/models', 'models'),
    now: () => 1000,
  });
  let id = 0;
  const send = async (body: JobEventBody): Promise<Outgoing[]> => m.translate({ ...body, id: ++id, time: '' } as JobEvent);
  return { m, send, looked };
}

const info = (clientId: string | null): JobInfo =>
  ComfyMessages.infoOf(clientId, { '1': { type: 'CheckpointLoaderSimple' }, '5': { type: 'KSampler' }, '9': { type: 'SaveImage' } });
/** [to, type, data]; a queue change (the hub broadcasts status for it) as [null, 'status'] */
const json = (out: Outgoing[]) =>
  out.map((o) => (o.kind === 'json' ? [o.to, o.type, o.data] : o.kind === 'binary' ? [o.to, 'binary'] : [null, 'status']));

describe('ComfyMessages', () => {
  it("a run in ComfyUI's order: start, cached nodes at once, executing, progress + preview, executed, success, executing null", async () => {
    const { m, send } = setup();
    m.register('j', info('c1'));
    expect(json(await send({ type: 'job.queued', jobId: 'j', position: 1 }))).toEqual([[null, 'status']]);
    expect(json(await send({ type: 'job.started', jobId: 'j' }))).toEqual([
      [null, 'status'],
      ['c1', 'execution_start', { timestamp: 1000, prompt_id: 'j' }],
    ]);
    expect(await send({ type: 'node.cached', jobId: 'j', nodeId: '1' })).toEqual([]);
    expect(json(await send({ type: 'node.started', jobId: 'j', nodeId: '5' }))).toEqual([
      ['c1', 'execution_cached', { nodes: ['1'], timestamp: 1000, prompt_id: 'j' }],
      ['c1', 'executing', { node: '5', display_node: '5', prompt_id: 'j' }],
    ]);
    expect(m.current('c1')).toEqual({ promptId: 'j', node: '5' });
    const progress = await send({
      type: 'node.progress',
      jobId: 'j',
      nodeId: '5',
      step: 1,
      total: 2,
      preview: `data:image/png;base64,${PNG_1x1.toString('base64')}`,
    });
    expect(json(progress)).toEqual([
      ['c1', 'progress', { value: 1, max: 2, node: '5', prompt_id: 'j' }],
      ['c1', 'binary'],
    ]);
    const frame = (progress[1] as { bytes: Buffer }).bytes;
    expect([frame.readUInt32BE(0), frame.readUInt32BE(4)]).toEqual([1, 2]);
    expect(frame.subarray(8)).toEqual(PNG_1x1);
    expect(await send({ type: 'node.finished', jobId: 'j', nodeId: '5', ms: 3 })).toEqual([]);
    expect(
      json(await send({ type: 'node.finished', jobId: 'j', nodeId: '9', ms: 3, files: [{ path: 'sub/a_00001_.png', kind: 'image', nodeId: '9' }] })),
    ).toEqual([
      [
        'c1',
        'executed',
        { node: '9', display_node: '9', output: { images: [{ filename: 'a_00001_.png', subfolder: 'sub', type: 'output' }] }, prompt_id: 'j' },
      ],
    ]);
    expect(json(await send({ type: 'job.finished', jobId: 'j', files: [], ms: 9 }))).toEqual([
      ['c1', 'execution_success', { timestamp: 1000, prompt_id: 'j' }],
      [null, 'status'],
      ['c1', 'executing', { node: null, display_node: null, prompt_id: 'j' }],
    ]);
    expect(m.current('c1')).toBeNull();
  });

  it("a fully cached run announces the cached nodes before replaying an output node's images; previews map to temp", async () => {
    const { m, send } = setup();
    m.register('j', info('c1'));
    await send({ type: 'job.started', jobId: 'j' });
    await send({ type: 'node.cached', jobId: 'j', nodeId: '1' });
    const out = json(
      await send({ type: 'node.cached', jobId: 'j', nodeId: '9', files: [{ path: 'previews/p_00001_.png', kind: 'preview', nodeId: '9' }] }),
    );
    expect(out).toEqual([
      ['c1', 'execution_cached', { nodes: ['1', '9'], timestamp: 1000, prompt_id: 'j' }],
      [
        'c1',
        'executed',
        { node: '9', display_node: '9', output: { images: [{ filename: 'p_00001_.png', subfolder: '', type: 'temp' }] }, prompt_id: 'j' },
      ],
    ]);
    expect(json(await send({ type: 'job.finished', jobId: 'j', files: [], ms: 1 })).map((o) => o[1])).toEqual([
      'execution_success',
      'status',
      'executing',
    ]);
  });

  it('jobs without a client (editor, REST) only move the queue status; unknown jobs are looked up once', async () => {
    const { send, looked } = setup({ other: info(null), remote: info('c2') });
    expect(json(await send({ type: 'job.started', jobId: 'other' })).map((o) => o[1])).toEqual(['status']);
    expect(await send({ type: 'node.started', jobId: 'other', nodeId: '5' })).toEqual([]);
    expect(json(await send({ type: 'job.finished', jobId: 'other', files: [], ms: 1 })).map((o) => o[1])).toEqual(['status']);
    // a job queued through another API process sharing the store: routed by the client id stored with it
    expect(json(await send({ type: 'node.started', jobId: 'remote', nodeId: '5' }))).toEqual([
      ['c2', 'execution_cached', { nodes: [], timestamp: 1000, prompt_id: 'remote' }],
      ['c2', 'executing', { node: '5', display_node: '5', prompt_id: 'remote' }],
    ]);
    await send({ type: 'node.progress', jobId: 'remote', nodeId: '5', step: 1, total: 1 });
    expect(looked).toEqual(['other', 'remote']);
    expect(json(await send({ type: 'node.started', jobId: 'gone', nodeId: '1' }))).toEqual([]);
  });

  it('failure: execution_error names node and type, scrubbed; interrupt after start vs deletion before it', async () => {
    const { m, send } = setup();
    m.register('f', info('c1'));
    await send({ type: 'job.started', jobId: 'f' });
    await send({ type: 'node.started', jobId: 'f', nodeId: '1' });
    await send({ type: 'node.finished', jobId: 'f', nodeId: '1', ms: 1 });
    const failed = json(
      await send({ type: 'job.failed', jobId: 'f', error: { message: 'cannot read /srv/models/x.safetensors', nodeId: '5', input: 'model' } }),
    );
    expect(failed[0]).toEqual([
      'c1',
      'execution_error',
      {
        node_id: '5',
        node_type: 'KSampler',
        executed: ['1'],
        exception_message: 'cannot read models/x.safetensors',
        exception_type: 'RuntimeError',
        traceback: [],
        current_inputs: { input_name: 'model' },
        current_outputs: ['1'],
        timestamp: 1000,
        prompt_id: 'f',
      },
    ]);
    expect(failed.map((o) => o[1])).toEqual(['execution_error', 'status', 'executing']);

    m.register('i', info('c1'));
    await send({ type: 'job.started', jobId: 'i' });
    await send({ type: 'node.started', jobId: 'i', nodeId: '5' });
    const interrupted = json(await send({ type: 'job.cancelled', jobId: 'i' }));
    expect(interrupted[0]).toEqual([
      'c1',
      'execution_interrupted',
      { node_id: '5', node_type: 'KSampler', executed: [], timestamp: 1000, prompt_id: 'i' },
    ]);
    expect(interrupted.map((o) => o[1])).toEqual(['execution_interrupted', 'status', 'executing']);

    m.register('q', info('c1'));
    expect(json(await send({ type: 'job.cancelled', jobId: 'q' })).map((o) => o[1])).toEqual(['status']);
  });

  it('a job given back to the queue (its worker died) starts its messages over', async () => {
    const { m, send } = setup();
    m.register('r', info('c1'));
    await send({ type: 'job.started', jobId: 'r' });
    await send({ type: 'node.cached', jobId: 'r', nodeId: '1' });
    await send({ type: 'node.started', jobId: 'r', nodeId: '5' });
    await send({ type: 'job.queued', jobId: 'r', position: 1 });
    expect(m.current('c1')).toBeNull();
    await send({ type: 'job.started', jobId: 'r' });
    await send({ type: 'node.cached', jobId: 'r', nodeId: '1' });
    const again = json(await send({ type: 'node.started', jobId: 'r', nodeId: '5' }));
    expect(again[0]).toEqual(['c1', 'execution_cached', { nodes: ['1'], timestamp: 1000, prompt_id: 'r' }]);
  });

  it('previewFrame: PNG is image type 2, JPEG 1, anything else is not sent', () => {
    expect(previewFrame(`data:image/jpeg;base64,${Buffer.from([0xff, 0xd8]).toString('base64')}`)?.readUInt32BE(4)).toBe(1);
    expect(previewFrame('data:image/gif;base64,AAAA')).toBeNull();
    expect(previewFrame('not a url')).toBeNull();
  });
});
