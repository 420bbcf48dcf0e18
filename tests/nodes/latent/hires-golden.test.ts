/**
 * Hires fix as ComfyUI runs it (comfy-nodes hires_* goldens): KSampler 64x64 → LatentUpscale / LatentUpscaleBy with
 * every method (and centre crop) → KSampler denoise 0.5 → VAEDecode, imported from the case's workflow_api.json and
 * run through the engine. End to end, every node output is within the README's KSampler-chain tolerance; the upscale
 * node alone, fed the golden's own input, is bit-exact (bislerp: within 1e-6 of the magnitude, torch's float32
 * acos/sin being followed to an ulp).
 */
import { expect, it } from 'vitest';
import { agreement, callOnGoldenInputs, diffAgainst, outputKeys, runNodeCase } from '../../helpers/comfy-node-case';
import { describeGolden } from '../../helpers/golden';

const CASES = ['nearest_exact', 'bilinear', 'area', 'bicubic', 'bislerp'].flatMap((m) => [`hires_${m}_disabled`, `hires_${m}_center`]);
/** sampled latents reach ~400 with random weights; another fp32 implementation agrees to ~1e-5 of that (README) */
const LATENT_REL = 2e-5;
const IMAGE_ABS = 5e-5;

describeGolden('hires fix matches ComfyUI (comfy-nodes hires_*)', () => {
  for (const name of [...CASES, 'hires_upscale_by']) {
    it(name, async () => {
      const run = await runNodeCase(name);
      const keys = outputKeys(run);
      expect(keys.length).toBeGreaterThanOrEqual(5);
      for (const k of keys) {
        const a = agreement(run, k);
        if (k.endsWith('.samples')) expect(a.maxAbs, k).toBeLessThanOrEqual(LATENT_REL * Math.max(1, a.scale));
        else expect(a.maxAbs, k).toBeLessThanOrEqual(IMAGE_ABS);
      }
      const upscales = Object.entries(run.workflow.nodes).filter(([, n]) => n.type.startsWith('LatentUpscale'));
      expect(upscales.length).toBeGreaterThanOrEqual(1);
      for (const [id, n] of upscales) {
        const key = `${id}.0.samples`;
        const d = diffAgainst(run, key, await callOnGoldenInputs(run, id));
        const bislerp = n.params.upscale_method === 'bislerp';
        expect(d, `${key} (${n.params.upscale_method})`).toBeLessThanOrEqual(bislerp ? 1e-6 * agreement(run, key).scale : 0);
      }
    });
  }

  it('the tolerances discriminate: another method, or the crop left out, is far outside them', async () => {
    const run = await runNodeCase('hires_bilinear_center', { execute: false });
    const up = run.workflow.nodes['6'];
    up.params = { ...up.params, upscale_method: 'bicubic' };
    const g = run.gold.get('6.0.samples');
    const scale = g ? Math.max(...Array.from(g.data, Math.abs)) : NaN;
    expect(diffAgainst(run, '6.0.samples', await callOnGoldenInputs(run, '6'))).toBeGreaterThan(1e-3 * scale);
    up.params = { ...up.params, upscale_method: 'bilinear', crop: 'disabled' };
    expect(diffAgainst(run, '6.0.samples', await callOnGoldenInputs(run, '6'))).toBeGreaterThan(1e-3 * scale);
  });
});
