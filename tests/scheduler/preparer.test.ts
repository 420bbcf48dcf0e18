/** Big workflows are prepared in a worker thread: same answer as inline, and the server thread stays free meanwhile. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REGISTRY } from '../../nodes/registry';
import { resolvePaths } from '../../server/config/paths';
import { prepareWorkflow, roughNodeCount } from '../../server/scheduler/prepare';
import { createPreparer } from '../../server/scheduler/preparer';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-prepare-'));
const paths = resolvePaths({ root: dir });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A ComfyUI API prompt: n CLIPSetLastLayer nodes in a chain whose first takes the last's output (one big cycle), saved. */
function cyclicChain(n: number): Record<string, unknown> {
  const prompt: Record<string, unknown> = {
    ck: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'none.safetensors' } },
    save: { class_type: 'CheckpointSave', inputs: { model: ['ck', 0], clip: [String(n), 0], vae: ['ck', 2], filename_prefix: 'x' } },
  };
  for (let i = 1; i <= n; i++)
    prompt[String(i)] = { class_type: 'CLIPSetLastLayer', inputs: { clip: [String(i === 1 ? n : i - 1), 0], stop_at_clip_layer: -1 } };
  return prompt;
}

describe('preparer', () => {
  it('counts nodes of every format without parsing', () => {
    expect(roughNodeCount(cyclicChain(7))).toBe(9);
    expect(roughNodeCount({ nodes: [{}, {}], links: [], definitions: { subgraphs: [{ nodes: [{}, {}, {}] }] } })).toBe(5);
    expect(roughNodeCount({ format: 'latentloom.workflow', version: 2, nodes: { a: {}, b: {} } })).toBe(2);
    expect(roughNodeCount('x')).toBe(0);
  });

  it('gives the same errors off the thread as inline, and counts the hop', async () => {
    const preparer = createPreparer(REGISTRY.schemas, paths, { inlineNodes: 100 });
    try {
      const wf = cyclicChain(2000);
      const off = await preparer.prepare(wf, {});
      expect(preparer.offThread).toBe(1);
      const inline = await prepareWorkflow(wf, {}, REGISTRY.schemas, paths);
      expect(off).toEqual(inline);
      expect(off.errors.some((e) => e.code === 'CYCLE')).toBe(true);
      // small ones stay inline
      await preparer.prepare(cyclicChain(3), {});
      expect(preparer.offThread).toBe(1);
      // an unknown format is a validation answer, not a thrown error, either way
      const bad = await preparer.prepare({ nodes: Array.from({ length: 200 }, () => 1) }, {});
      expect(bad.workflow).toBeNull();
      expect(bad.errors[0].code).toBe('INVALID_WORKFLOW');
    } finally {
      await preparer.close();
    }
  });

  it('keeps the event loop free while a 50,000-node workflow is refused', async () => {
    const preparer = createPreparer(REGISTRY.schemas, paths);
    try {
      await preparer.prepare(cyclicChain(1000), {}); // thread started and warm
      const wf = cyclicChain(50_000);
      const inline = await longestBlock(() => prepareWorkflow(wf, {}, REGISTRY.schemas, paths));
      const off = await longestBlock(async () => {
        const r = await preparer.prepare(wf, {}, { keepInvalid: false });
        expect(r.errors.some((e) => e.code === 'CYCLE')).toBe(true);
        expect(r.workflow).toBeNull();
      });
      // off the thread only copying the input blocks the loop; inline the whole validation is one block
      expect(off, `longest block ${off.toFixed(0)} ms off-thread vs ${inline.toFixed(0)} ms inline`).toBeLessThan(inline / 2);
    } finally {
      await preparer.close();
    }
  });
});

/** The longest stretch (ms) the event loop went without running a 1 ms timer while `f` ran. */
async function longestBlock(f: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  try {
    await f();
    await new Promise((r) => setTimeout(r, 5)); // one more tick measures the last stretch
  } finally {
    clearInterval(tick);
  }
  return longest;
}
