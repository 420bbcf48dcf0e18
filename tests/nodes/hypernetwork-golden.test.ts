/** HypernetworkLoader against ComfyUI's own runs (../shared/golden/comfy-models/hypernetwork). */
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import { HypernetworkError, loadHypernetwork } from '../../server/runtime/patches/hypernetwork';
import type { LatentValue } from '../../server/runtime/values';
import { relErr, runComfyCase, type CaseRun } from '../helpers/comfy-case';
import { describeGolden, golden } from '../helpers/golden';
import { readGoldenTensors, type GoldenTensor } from '../helpers/read-golden';

const DIR = () => golden('comfy-models', 'hypernetwork');
const runs: CaseRun[] = [];
let gold: Map<string, GoldenTensor> | undefined;
afterAll(async () => {
  await sessionCache.clear();
  for (const r of runs) r.root.cleanup();
});

async function check(name: string) {
  gold ??= await readGoldenTensors(path.join(DIR(), 'golden.safetensors'));
  const models = { 'hypernetworks/hn-relu.pt': path.join(DIR(), 'hn-relu.pt'), 'hypernetworks/hn-tanh-ln.pt': path.join(DIR(), 'hn-tanh-ln.pt') };
  const run = await runComfyCase(DIR(), { workflowFile: `${name}.workflow_api.json`, models });
  runs.push(run);
  const want = gold.get(`${name}/3.0.LATENT.samples`)?.data as Float32Array;
  const got = (run.bySlot('3.0') as LatentValue).samples.data;
  const err = relErr(got, want);
  console.log(`[comfy] ${name} latent rel err ${err.toExponential(2)}`);
  expect(err).toBeLessThanOrEqual(1e-4);
  return got;
}

describeGolden('hypernetworks (ComfyUI runs)', () => {
  it('relu hypernetwork at strength 0.8, tanh + LayerNorm at 1.0, and the baseline without one', async () => {
    const relu = await check('hypernetwork-relu');
    const tanh = await check('hypernetwork-tanh-ln');
    const base = await check('baseline-no-hypernetwork');
    // the patches matter: each run is far from the baseline (ComfyUI's differ by 66 and 223)
    expect(relErr(relu, base)).toBeGreaterThan(0.05);
    expect(relErr(tanh, base)).toBeGreaterThan(0.05);
  });

  it('a file that is not a hypernetwork is refused by name', async () => {
    const emb = golden('comfy-models', 'embedding', 'embeddings-pt', 'myemb.pt');
    await expect(loadHypernetwork(emb)).rejects.toThrow(HypernetworkError);
    await expect(loadHypernetwork(emb)).rejects.toThrow(/myemb\.pt: no hypernetwork modules/);
  });
});
