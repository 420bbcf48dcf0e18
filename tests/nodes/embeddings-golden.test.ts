/** Textual-inversion embeddings against ComfyUI's own runs (../shared/golden/comfy-models/embedding). */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Conditioning } from '../../server/runtime/handles';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import type { ImageValue, LatentValue } from '../../server/runtime/values';
import { relErr, runComfyCase, type CaseRun } from '../helpers/comfy-case';
import { maxAbsDiff } from '../helpers/compare';
import { describeGolden, golden } from '../helpers/golden';
import { readGoldenTensors, type GoldenTensor } from '../helpers/read-golden';
import { writeSafetensors } from '../../server/runtime/io/safetensors-write';
import { ModelCache } from '../../server/runtime/model-cache';
import { pipelineRoot } from '../runtime/pipeline/support';
import { loaded, nodeCaller } from './ml/support';

const DIR = () => golden('comfy-models', 'embedding');
const runs: CaseRun[] = [];
let gold: Map<string, GoldenTensor> | undefined;
afterAll(async () => {
  await sessionCache.clear();
  for (const r of runs) r.root.cleanup();
});

async function check(name: string, folder: 'embeddings-pt' | 'embeddings-safetensors', file: string) {
  gold ??= await readGoldenTensors(path.join(DIR(), 'golden.safetensors'));
  const run = await runComfyCase(DIR(), {
    workflowFile: `${name}.workflow_api.json`,
    models: { [`embeddings/${file}`]: path.join(DIR(), folder, file) },
  });
  runs.push(run);
  const want = (k: string) => {
    const t = gold?.get(`${name}/${k}`);
    if (!t) throw new Error(`golden ${name}/${k} missing`);
    return t.data as Float32Array;
  };
  for (const node of ['6', '7']) {
    const cond = run.bySlot(`${node}.0`) as Conditioning;
    expect(maxAbsDiff(cond.entries[0].cross.data, want(`${node}.0.CONDITIONING.0.cond`)), `${name} ${node} cond`).toBeLessThanOrEqual(1e-4);
  }
  const latent = run.bySlot('3.0') as LatentValue;
  expect(relErr(latent.samples.data, want('3.0.LATENT.samples')), `${name} latent`).toBeLessThanOrEqual(1e-3);
  const image = run.bySlot('8.0') as ImageValue;
  expect(maxAbsDiff(image.data, want('8.0.IMAGE')), `${name} image`).toBeLessThanOrEqual(1e-3);
  return run;
}

describeGolden('textual inversion (ComfyUI runs)', () => {
  it('ti-pt: an A1111 .pt embedding in the positive prompt (3 vectors at tokens 4–6, "myemb," found after the comma is stripped)', () =>
    check('ti-pt', 'embeddings-pt', 'myemb.pt'));
  it('ti-safetensors: the same vectors as emb_params .safetensors give the same result', () =>
    check('ti-safetensors', 'embeddings-safetensors', 'myemb.safetensors'));
  it('ti-weighted: (embedding:myemb:1.3) weighs the vectors', () => check('ti-weighted', 'embeddings-pt', 'myemb.pt'));
  it('ti-negative: an embedding alone in the negative prompt', () => check('ti-negative', 'embeddings-safetensors', 'myemb.safetensors'));
  it('ti-baseline-no-embedding: the same graph without one', () => check('ti-baseline-no-embedding', 'embeddings-pt', 'myemb.pt'));

  it('CLIPTextEncode: a missing embedding warns on the node; one of another width fails it, naming both widths', async () => {
    const root = pipelineRoot({ 'checkpoints/a.safetensors': golden('tiny-sd1', 'model.safetensors') });
    try {
      process.env.LOOM_CACHE_DIR = path.join(root.root, 'weight-cache');
      const wide = Float32Array.from({ length: 2 * 64 }, (_, i) => i / 100);
      fs.mkdirSync(path.join(root.paths.models, 'embeddings'), { recursive: true });
      await writeSafetensors(path.join(root.paths.models, 'embeddings', 'wide.safetensors'), [
        { name: 'emb_params', dtype: 'F32', shape: [2, 64], data: async () => new Uint8Array(wide.buffer) },
      ]);
      const call = nodeCaller(root.paths, new ModelCache(2 ** 30));
      const { clip } = loaded((await call('CheckpointLoaderSimple', { ckpt_name: 'a.safetensors' })).outputs);
      const missing = await call('CLIPTextEncode', { text: 'a embedding:nothere cat' }, { clip });
      expect(missing.warnings).toEqual([
        `embedding:nothere does not exist in ${path.join(root.paths.models, 'embeddings')}; ignored (as ComfyUI does)`,
      ]);
      await expect(call('CLIPTextEncode', { text: 'a embedding:wide cat' }, { clip })).rejects.toThrow(
        'embedding:wide (wide.safetensors) has vectors of width 64; this text encoder (clip_l) takes 128',
      );
    } finally {
      root.cleanup();
    }
  });
});
