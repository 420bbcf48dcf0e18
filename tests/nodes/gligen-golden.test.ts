/** GLIGENLoader + GLIGENTextBoxApply against ComfyUI's own runs (../shared/golden/comfy-models/gligen, README §5c). */
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import type { Conditioning } from '../../server/runtime/handles';
import type { LatentValue } from '../../server/runtime/values';
import { relErr, runComfyCase, type CaseRun } from '../helpers/comfy-case';
import { describeGolden, golden } from '../helpers/golden';
import { readGoldenTensors, type GoldenTensor } from '../helpers/read-golden';

const DIR = () => golden('comfy-models', 'gligen');
const FILE = 'tiny-gligen-textbox-sd15.safetensors';
const runs: CaseRun[] = [];
let gold: Map<string, GoldenTensor> | undefined;
afterAll(async () => {
  await sessionCache.clear();
  for (const r of runs) r.root.cleanup();
});

async function run(name: string): Promise<CaseRun> {
  gold ??= await readGoldenTensors(path.join(DIR(), 'golden.safetensors'));
  const r = await runComfyCase(DIR(), { workflowFile: `${name}.workflow_api.json`, models: { [`gligen/${FILE}`]: path.join(DIR(), FILE) } });
  runs.push(r);
  return r;
}
const want = (key: string) => {
  const t = gold?.get(key);
  if (!t) throw new Error(`golden has no ${key}`);
  return t.data as Float32Array;
};

describeGolden('GLIGEN (ComfyUI runs)', () => {
  it('two chained text boxes: phrase embeddings, boxes and the sampled latent match ComfyUI', async () => {
    const r = await run('gligen-two-boxes');
    const cond = r.bySlot('11.0') as Conditioning;
    const boxes = cond.gligen?.boxes ?? [];
    // node 12 (a blue cube) was applied first, then node 11 (a red ball) appended
    expect(boxes.map((b) => [b.height, b.width, b.y, b.x])).toEqual([0, 1].map((i) => Array.from(want(`gligen-two-boxes/11.0.CONDITIONING.0.gligen.${i}.box_hwyx`))));
    for (const i of [0, 1]) expect(relErr(boxes[i].embedding, want(`gligen-two-boxes/11.0.CONDITIONING.0.gligen.${i}.pooled`))).toBeLessThan(1e-5);
    const got = (r.bySlot('3.0') as LatentValue).samples.data;
    const err = relErr(got, want('gligen-two-boxes/3.0.LATENT.samples'));
    console.log(`[comfy] gligen-two-boxes latent rel err ${err.toExponential(2)}`);
    expect(err).toBeLessThanOrEqual(1e-4);
    // negative control: the baseline without GLIGEN is far away (ComfyUI's differ by 92.8)
    expect(relErr(got, want('gligen-baseline-no-gligen/3.0.LATENT.samples'))).toBeGreaterThan(0.05);
  });

  it('the baseline without GLIGEN is unchanged (the plain UNet graph)', async () => {
    const r = await run('gligen-baseline-no-gligen');
    const err = relErr((r.bySlot('3.0') as LatentValue).samples.data, want('gligen-baseline-no-gligen/3.0.LATENT.samples'));
    expect(err).toBeLessThanOrEqual(1e-4);
  });
});
