/**
 * The custom-sampling nodes refuse bad input by node input name (wrong socket values, bad sigmas, empty
 * conditionings) before any model is loaded, and follow ComfyUI where it accepts odd input (empty SIGMAS return the
 * latent unchanged). No weights are touched: the MODEL is a bare handle.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePaths } from '../../server/config/paths';
import type { Conditioning, ModelHandle } from '../../server/runtime/handles';
import { ModelCache } from '../../server/runtime/model-cache';
import { isGuider } from '../../server/runtime/sampling/guider-value';
import { sigmasValue, type SigmasValue } from '../../server/runtime/sampling/socket-values';
import type { LatentValue } from '../../server/runtime/values';
import { callNode } from '../helpers/nodes';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-sc-inputs-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const o = { paths: resolvePaths({ root: dir }), models: new ModelCache(2 ** 20) };

const model: ModelHandle = {
  kind: 'model',
  family: 'sd1',
  prediction: 'eps',
  unet: {} as ModelHandle['unet'],
  latent: 'sd1',
  key: 'fake',
  recipe: [],
};
const cond = (n: number): Conditioning =>
  ({
    kind: 'conditioning',
    entries: Array.from({ length: n }, () => ({ cross: { shape: [1, 77, 768], data: new Float32Array(77 * 768) }, family: 'sd1' })),
  }) as unknown as Conditioning;
const latent: LatentValue = { samples: { shape: [1, 4, 8, 8], data: Float32Array.from({ length: 256 }, (_, i) => i / 256) }, batch_index: [3] };
const sampler = { name: 'euler' };
const noise = { kind: 'random', seed: 1n };

describe('custom-sampling nodes: input checks', () => {
  it('guider nodes give GUIDER values with ComfyUI inputs; DualCFGGuider carries style', async () => {
    const cfg = (await callNode('CFGGuider', { cfg: 6 }, { model, positive: cond(1), negative: cond(1) }, o)).outputs.GUIDER;
    expect(isGuider(cfg)).toBe(true);
    expect(cfg).toMatchObject({ style: 'cfg', cfg: 6 });
    expect((await callNode('BasicGuider', {}, { model, conditioning: cond(1) }, o)).outputs.GUIDER).toMatchObject({ style: 'basic' });
    const dual = (await callNode('DualCFGGuider', { style: 'nested' }, { model, cond1: cond(1), cond2: cond(2), negative: cond(1) }, o)).outputs
      .GUIDER;
    expect(dual).toMatchObject({ style: 'dual', nested: true, cfgConds: 8, cfgCond2Negative: 8 });
  });

  it('a value from the wrong socket is refused, naming the input and both types', async () => {
    const guider = (await callNode('BasicGuider', {}, { model, conditioning: cond(1) }, o)).outputs.GUIDER;
    const sigmas = sigmasValue(new Float32Array([14.6, 1, 0]));
    const good = { noise, guider, sampler, sigmas, latent_image: latent };
    await expect(callNode('SamplerCustomAdvanced', {}, { ...good, guider: sampler }, o)).rejects.toThrow(
      'input "guider" expects GUIDER but got a SAMPLER',
    );
    await expect(callNode('SamplerCustomAdvanced', {}, { ...good, sampler: noise }, o)).rejects.toThrow(
      'input "sampler" expects SAMPLER but got a NOISE',
    );
    await expect(callNode('SamplerCustomAdvanced', {}, { ...good, noise: sigmas }, o)).rejects.toThrow(
      'input "noise" expects NOISE but got a SIGMAS',
    );
    await expect(callNode('SamplerCustomAdvanced', {}, { ...good, sigmas: guider }, o)).rejects.toThrow(
      'input "sigmas" expects SIGMAS but got a GUIDER',
    );
    await expect(callNode('SamplerCustomAdvanced', {}, { ...good, sigmas: [14.6, 0] }, o)).rejects.toThrow('input "sigmas" expects SIGMAS');
    await expect(
      callNode('SamplerCustom', {}, { model, positive: cond(1), negative: cond(1), sampler: guider, sigmas, latent_image: latent }, o),
    ).rejects.toThrow('input "sampler" expects SAMPLER but got a GUIDER');
  });

  it('ManualSigmas reads numbers as ComfyUI does and refuses what Python float() refuses', async () => {
    const sig = async (text: string) => Array.from(((await callNode('ManualSigmas', { sigmas: text }, {}, o)).outputs.SIGMAS as SigmasValue).sigmas);
    expect(await sig('14.6, 3 , .5,0')).toEqual([Math.fround(14.6), 3, 0.5, 0]);
    expect(await sig('')).toEqual([]);
    await expect(sig('1..5')).rejects.toThrow('sigmas: "1..5" is not a number (expected numbers separated by commas).');
  });

  it('bad sigmas and empty conditionings are refused by name; empty sigmas return the latent as ComfyUI does', async () => {
    const guider = (await callNode('CFGGuider', { cfg: 5 }, { model, positive: cond(1), negative: cond(0) }, o)).outputs.GUIDER;
    const run = (s: number[], g: unknown = guider) =>
      callNode('SamplerCustomAdvanced', {}, { noise, guider: g, sampler, sigmas: sigmasValue(new Float32Array(s)), latent_image: latent }, o);
    await expect(run([14.6, Number.NaN, 0])).rejects.toThrow('sigmas: noise level 1 of 3 is NaN, expected finite values ≥ 0.');
    await expect(run([14.6, -1])).rejects.toThrow('sigmas: noise level 1 of 2 is -1');
    await expect(run([14.6, 0])).rejects.toThrow('negative conditioning has no entries');
    const dual = (await callNode('DualCFGGuider', {}, { model, cond1: cond(1), cond2: cond(0), negative: cond(1) }, o)).outputs.GUIDER;
    await expect(run([14.6, 0], dual)).rejects.toThrow('cond2 conditioning has no entries');
    const perp = (await callNode('PerpNegGuider', {}, { model, positive: cond(1), negative: cond(1), empty_conditioning: cond(0) }, o)).outputs
      .GUIDER;
    await expect(run([14.6, 0], perp)).rejects.toThrow('empty_conditioning conditioning has no entries');
    await expect(
      callNode('AddNoise', {}, { model, noise, sigmas: sigmasValue(new Float32Array([Number.NaN])), latent_image: latent }, o),
    ).rejects.toThrow('sigmas: noise level 0 of 1 is NaN');
    const params = { add_noise: true, noise_seed: 1, cfg: 8 };
    const custom = { model, positive: cond(1), negative: cond(1), sampler, latent_image: latent };
    await expect(
      callNode('SamplerCustom', params, { ...custom, sigmas: sigmasValue(new Float32Array([Number.POSITIVE_INFINITY, 0])) }, o),
    ).rejects.toThrow('sigmas: noise level 0 of 2 is Infinity');
    const same = (await callNode('SamplerCustom', params, { ...custom, sigmas: sigmasValue(new Float32Array(0)) }, o)).outputs;
    for (const out of [same.output, same.denoised_output] as LatentValue[]) {
      expect(out.samples.data).toEqual(latent.samples.data);
      expect(out.batch_index).toEqual([3]);
    }
  });
});
