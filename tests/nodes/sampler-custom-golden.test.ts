/**
 * SamplerCustom / SamplerCustomAdvanced and the guiders run through the engine from ComfyUI's own workflows
 * (comfy-nodes sampler_custom, sampler_custom_advanced): every output (sigmas, both LATENT outputs, decoded images)
 * against ComfyUI's, and the noise each sampler node drew (`<node>.noise.0`) bit-exact.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { REGISTRY } from '../../nodes/registry';
import { resolvePaths } from '../../server/config/paths';
import { ModelCache } from '../../server/runtime/model-cache';
import { SamplingCancelled } from '../../server/runtime/sampling/samplers';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import type { SigmasValue } from '../../server/runtime/sampling/socket-values';
import type { LatentValue } from '../../server/runtime/values';
import { generateNoise } from '../../server/runtime/sampling/noise';
import { agreement, outputKeys, runNodeCase, type ComfyCaseRun } from '../helpers/comfy-node-case';
import { describeGolden } from '../helpers/golden';
import { callNode } from '../helpers/nodes';

// sampled latents of the random-weight tiny UNet: max |Δ| relative to the largest value (README tolerance)
const LATENT_REL = 1e-3;
const IMAGE_ABS = 1e-3;
const SIGMAS_REL = 2e-6;
const FIXTURES = path.resolve(import.meta.dirname, '../runtime/sampling/fixtures');

afterAll(async () => {
  await sessionCache.clear();
});

/** Max |ours − golden| and max |golden| for a key; SIGMAS travel as { sigmas }, the rest as tensors. */
function diff(run: ComfyCaseRun, key: string): { maxAbs: number; scale: number } {
  const [node, slot] = key.split('.');
  const out = REGISTRY.schemas[run.workflow.nodes[node].type].outputs[Number(slot)];
  if (out.type !== 'SIGMAS') return agreement(run, key);
  const value = run.outputs.get(node)?.[out.name];
  if (!value) throw new Error(`${key}: the engine produced no such output`);
  const ours = (value as SigmasValue).sigmas;
  const g = run.gold.get(key)!.data;
  expect(ours.length, key).toBe(g.length);
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < g.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(ours[i] - g[i]));
    scale = Math.max(scale, Math.abs(g[i]));
  }
  return { maxAbs, scale };
}

function expectAll(run: ComfyCaseRun): void {
  // 1-3 are the loader and the prompts (covered by their own goldens)
  const keys = outputKeys(run).filter((k) => !/^[123]\./.test(k));
  expect(keys.length).toBeGreaterThan(5);
  for (const k of keys) {
    const a = diff(run, k);
    const type = run.workflow.nodes[k.split('.')[0]].type;
    console.log(`[comfy] ${k} (${type}) max |Δ| ${a.maxAbs.toExponential(2)} of ${a.scale.toExponential(2)}`);
    if (k.endsWith('.samples')) expect(a.maxAbs, k).toBeLessThanOrEqual(LATENT_REL * a.scale);
    else if (run.gold.get(k)?.shape.length === 1) expect(a.maxAbs, k).toBeLessThanOrEqual(SIGMAS_REL * a.scale);
    else expect(a.maxAbs, k).toBeLessThanOrEqual(IMAGE_ABS);
  }
}

/** The noise ComfyUI's prepare_noise gave each sampling node equals ours for its seed. */
function expectNoise(run: ComfyCaseRun, seeds: Record<string, number>, batchIndex?: number[]): void {
  for (const [node, seed] of Object.entries(seeds)) {
    const g = run.gold.get(`${node}.noise.0`);
    if (!g) throw new Error(`golden has no ${node}.noise.0`);
    expect(Array.from(generateNoise({ kind: 'random', seed }, g.shape, batchIndex)), node).toEqual(Array.from(g.data));
  }
}

describeGolden('SamplerCustom / SamplerCustomAdvanced match ComfyUI (comfy-nodes)', () => {
  it('sampler_custom: euler_ancestral + BasicScheduler karras, dpmpp_2m + KarrasScheduler, euler + SDTurboScheduler', async () => {
    const run = await runNodeCase('sampler_custom');
    expectAll(run);
    expectNoise(run, { 9: 81, 12: 81, 15: 81 });
  });

  it('comfy-guider-cases: DualCFGGuider, PerpNegGuider, RescaleCFG, CFG++ samplers, noise_mask + batch_index, ManualSigmas, AddNoise', async () => {
    // ComfyUI's run of fixtures/comfy-guider-cases.json (make_guider_workflow.py), laid out as a comfy-nodes case
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-guider-cases-'));
    try {
      fs.copyFileSync(path.join(FIXTURES, 'comfy-guider-cases.json'), path.join(dir, 'workflow_api.json'));
      fs.copyFileSync(path.join(FIXTURES, 'comfy-guider-cases.safetensors'), path.join(dir, 'golden.safetensors'));
      const run = await runNodeCase('guider-cases', { dir });
      expectAll(run);
      const types = new Set(Object.values(run.workflow.nodes).map((n) => n.type));
      for (const t of [
        'DualCFGGuider',
        'CFGGuider',
        'BasicGuider',
        'PerpNegGuider',
        'RescaleCFG',
        'SamplerCustom',
        'SetLatentNoiseMask',
        'ManualSigmas',
        'AddNoise',
      ])
        expect(types.has(t), t).toBe(true);
      const extra = JSON.parse(run.meta.latent_extra) as Record<string, { batch_index?: number[] }>;
      for (const id of ['40', '41', '43']) {
        const out = run.outputs.get(id)?.output as LatentValue | undefined;
        expect(out?.batch_index, id).toEqual(extra[`${id}.0`]?.batch_index);
        expect(out?.noise_mask, id).toBeDefined();
      }
      expectNoise(run, { 40: 5, 43: 33, 50: 33 }, extra['40.0']?.batch_index);
      expectNoise(run, { 47: 33, 48: 33, 55: 33 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sampler_custom_advanced: RandomNoise + CFGGuider, BasicGuider, SplitSigmas halves with DisableNoise on the second', async () => {
    const run = await runNodeCase('sampler_custom_advanced');
    expectAll(run);
    expectNoise(run, { 9: 91, 13: 91, 15: 91 });
    // the high half stops at σ > 0: denoised_output (the last x0) is not the output, and each matches its own golden
    const outs = run.outputs.get('15') ?? {};
    const a = (outs.output as LatentValue).samples.data;
    const b = (outs.denoised_output as LatentValue).samples.data;
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeGreaterThan(1);

    // progress with a preview per step, as KSampler; an abort stops the run between steps
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-sca-progress-'));
    try {
      const out = (id: string) => Object.values(run.outputs.get(id) ?? {})[0];
      const inputs = { noise: out('5'), guider: out('7'), sampler: out('6'), sigmas: out('8'), latent_image: out('4') };
      const o = { paths: resolvePaths({ root: dir }), models: new ModelCache(2 ** 30) };
      const call = await callNode('SamplerCustomAdvanced', {}, inputs, o);
      expect(call.progress.map((p) => [p.step, p.total])).toEqual([
        [1, 3],
        [2, 3],
        [3, 3],
      ]);
      // the latent2rgb preview is latent-sized, as KSampler's
      for (const p of call.progress) expect(p.preview?.shape).toEqual([1, 8, 8, 3]);
      expect((call.outputs.output as LatentValue).samples.data).toEqual((out('9') as LatentValue).samples.data);
      const abort = new AbortController();
      const stopped = callNode('SamplerCustomAdvanced', {}, inputs, { ...o, signal: abort.signal, onProgress: () => abort.abort() });
      await expect(stopped).rejects.toThrow(SamplingCancelled);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
