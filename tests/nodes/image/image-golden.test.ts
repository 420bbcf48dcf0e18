/**
 * Image nodes against ComfyUI's goldens (comfy-nodes image_scale, canny, outpaint_pad), run through the engine from
 * the cases' own workflow_api.json (input PNGs placed in input/). ImageScale / ImageScaleBy / ImageScaleToTotalPixels
 * with every method and crop, Canny (kornia) and ImagePadForOutpaint's image and mask are bit-exact end to end —
 * lanczos included, whose 8-bit round trip through Pillow we follow exactly.
 */
import { expect, it } from 'vitest';
import { agreement, callOnGoldenInputs, diffAgainst, outputKeys, runNodeCase } from '../../helpers/comfy-node-case';
import { describeGolden } from '../../helpers/golden';

describeGolden('image nodes match ComfyUI (comfy-nodes)', () => {
  it('image_scale: ImageScale (every method x crop disabled/center, 80x48 -> 64x64 and 40x56), ImageScaleBy x0.75, ImageScaleToTotalPixels', async () => {
    const run = await runNodeCase('image_scale');
    const keys = outputKeys(run);
    expect(keys).toHaveLength(29);
    for (const k of keys) expect(agreement(run, k).maxAbs, `${k} (${run.workflow.nodes[k.split('.')[0]].type})`).toBe(0);
  });

  it('canny: sharp shapes (0.2/0.6) and a smooth noisy image with weak edges joined by hysteresis (0.05/0.15)', async () => {
    const run = await runNodeCase('canny');
    for (const k of ['2.0', '4.0']) expect(agreement(run, k).maxAbs, k).toBe(0);
    // the edge maps are not trivial: both have edges and non-edges
    for (const k of ['2.0', '4.0']) {
      const t = run.gold.get(k);
      const on = t ? Array.from(t.data).filter((v) => v === 1).length : 0;
      expect(on, k).toBeGreaterThan(50);
      expect(on, k).toBeLessThan(t ? t.data.length / 2 : 0);
    }
  });

  it('outpaint_pad: ImagePadForOutpaint (l16 t8 r16 b0, feathering 8), image and mask', async () => {
    const run = await runNodeCase('outpaint_pad', { only: ['5'] });
    for (const k of ['5.0', '5.1']) expect(agreement(run, k).maxAbs, k).toBe(0);
  });

  it('the comparison discriminates: bilinear where bicubic was asked, or lanczos computed without the 8-bit round trip', async () => {
    const run = await runNodeCase('image_scale', { execute: false });
    run.workflow.nodes['17'].params = { ...run.workflow.nodes['17'].params, upscale_method: 'bilinear' };
    expect(diffAgainst(run, '17.0', await callOnGoldenInputs(run, '17'))).toBeGreaterThan(1e-3);
    // lanczos output sits on the 8-bit grid: every value is k / 255
    const lz = run.gold.get('22.0');
    expect(lz && Array.from(lz.data).every((v) => Math.fround(Math.round(v * 255) / 255) === v)).toBe(true);
  });
});
