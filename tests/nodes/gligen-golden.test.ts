/** GLIGENLoader + GLIGENTextBoxApply against ComfyUI's own runs (../shared/golden/comfy-models/gligen, README §5c). */
import fs from 'node:fs';
import os from 'node:os';
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
    expect(cond.entries).toHaveLength(1);
    const boxes = cond.entries[0].gligen?.boxes ?? [];
    // node 12 (a blue cube) was applied first, then node 11 (a red ball) appended
    expect(boxes.map((b) => [b.height, b.width, b.y, b.x])).toEqual(
      [0, 1].map((i) => Array.from(want(`gligen-two-boxes/11.0.CONDITIONING.0.gligen.${i}.box_hwyx`))),
    );
    for (const i of [0, 1]) expect(relErr(boxes[i].embedding, want(`gligen-two-boxes/11.0.CONDITIONING.0.gligen.${i}.pooled`))).toBeLessThan(1e-5);
    const got = (r.bySlot('3.0') as LatentValue).samples.data;
    const err = relErr(got, want('gligen-two-boxes/3.0.LATENT.samples'));
    console.log(`[comfy] gligen-two-boxes latent rel err ${err.toExponential(2)}`);
    expect(err).toBeLessThanOrEqual(1e-4);
    // negative control: the baseline without GLIGEN is far away (ComfyUI's differ by 92.8)
    expect(relErr(got, want('gligen-baseline-no-gligen/3.0.LATENT.samples'))).toBeGreaterThan(0.05);
  });

  it('a box on the negative only: positive rows run the plain graph, negative rows the GLIGEN one (ComfyUI: no copy to the cond)', async () => {
    // the two-box workflow rewired (ComfyUI ran it with tests/fixtures/comfy-refs/comfy_run_gligen.py): KSampler positive = 6, negative = 12 ← 7
    const wf = JSON.parse(fs.readFileSync(path.join(DIR(), 'gligen-two-boxes.workflow_api.json'), 'utf8')) as Record<
      string,
      { inputs: Record<string, unknown> }
    >;
    wf[3].inputs.positive = ['6', 0];
    wf[3].inputs.negative = ['12', 0];
    wf[12].inputs.conditioning_to = ['7', 0];
    delete wf[11];
    const caseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-gligen-neg-'));
    fs.writeFileSync(path.join(caseDir, 'workflow_api.json'), JSON.stringify(wf));
    try {
      const r = await runComfyCase(caseDir, { models: { [`gligen/${FILE}`]: path.join(DIR(), FILE) } });
      runs.push(r);
      const got = (r.bySlot('3.0') as LatentValue).samples.data;
      const picks = Array.from({ length: 16 }, (_, i) => got[i * 16]);
      const want = [
        27.5168, 118.846, -136.582, 41.2271, -55.2913, 53.7086, -45.0848, 157.438, -139.131, -152.041, 36.5227, 130.647, 109.104, 80.8669, -107.897,
        214.483,
      ];
      const err = relErr(picks, want);
      console.log(`[comfy] gligen-negative-only latent rel err ${err.toExponential(2)}`);
      expect(err).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(got.reduce((a, v) => a + Math.abs(v), 0) - 24351.8) / 24351.8).toBeLessThan(1e-4);
    } finally {
      fs.rmSync(caseDir, { recursive: true, force: true });
    }
  });

  it('the baseline without GLIGEN is unchanged (the plain UNet graph)', async () => {
    const r = await run('gligen-baseline-no-gligen');
    const err = relErr((r.bySlot('3.0') as LatentValue).samples.data, want('gligen-baseline-no-gligen/3.0.LATENT.samples'));
    expect(err).toBeLessThanOrEqual(1e-4);
  });
});
