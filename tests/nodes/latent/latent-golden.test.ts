/**
 * Latent nodes against ComfyUI's goldens (comfy-nodes latent_ops, latent_batch), run through the engine from the
 * cases' own workflow_api.json. Each transform node fed the golden's own input is bit-exact; end to end, sampled
 * latents are within the KSampler-chain tolerance and batch indices (noise seeds) are ComfyUI's.

 */
import { expect, it } from 'vitest';
import type { LatentValue } from '../../../server/runtime/values';
import { agreement, callOnGoldenInputs, diffAgainst, outputKeys, runNodeCase } from '../../helpers/comfy-node-case';
import { describeGolden } from '../../helpers/golden';

const LATENT_REL = 2e-5;
const IMAGE_ABS = 5e-5;

function expectEndToEnd(run: Awaited<ReturnType<typeof runNodeCase>>, keys: string[]): void {
  expect(keys.length).toBeGreaterThan(0);
  for (const k of keys) {
    const a = agreement(run, k);
    if (k.endsWith('.samples')) expect(a.maxAbs, k).toBeLessThanOrEqual(LATENT_REL * Math.max(1, a.scale));
    else expect(a.maxAbs, k).toBeLessThanOrEqual(IMAGE_ABS);
  }
}

describeGolden('latent nodes match ComfyUI (comfy-nodes)', () => {
  it('latent_ops: LatentComposite (feather 0 and 16), LatentCrop, LatentFlip (both), LatentRotate (90/180/270)', async () => {
    const run = await runNodeCase('latent_ops');
    expectEndToEnd(run, outputKeys(run));
    for (const id of ['8', '9', '10', '11', '12', '13', '14', '15']) {
      const key = `${id}.0.samples`;
      expect(diffAgainst(run, key, await callOnGoldenInputs(run, id)), `${key} (${run.workflow.nodes[id].type})`).toBe(0);
    }
  });

  it('latent_batch: a batch of 2 sampled with per-sample noise, RepeatLatentBatch x3, LatentFromBatch(4) keeping its noise index', async () => {
    const run = await runNodeCase('latent_batch');
    expectEndToEnd(run, outputKeys(run));
    for (const id of ['7', '9']) expect(diffAgainst(run, `${id}.0.samples`, await callOnGoldenInputs(run, id))).toBe(0);
    const extra = JSON.parse(run.meta.latent_extra) as Record<string, { batch_index?: number[] }>;
    for (const [key, v] of Object.entries(extra)) {
      expect((run.outputs.get(key.split('.')[0])?.LATENT as LatentValue | undefined)?.batch_index, key).toEqual(v.batch_index);
    }
  });

  it('the comparison discriminates: a flip the other way, a rotation the other way, are far outside it', async () => {
    const run = await runNodeCase('latent_ops', { execute: false });
    run.workflow.nodes['11'].params = { flip_method: 'y-axis: horizontally' };
    expect(diffAgainst(run, '11.0.samples', await callOnGoldenInputs(run, '11'))).toBeGreaterThan(1);
    run.workflow.nodes['13'].params = { rotation: '270 degrees' };
    expect(diffAgainst(run, '13.0.samples', await callOnGoldenInputs(run, '13'))).toBeGreaterThan(1);
  });
});
