/**
 * Mask nodes and ImageBlend / ImageInvert against ComfyUI's golden (comfy-nodes masks_images), run through the engine
 * from the case's workflow_api.json: SolidMask, MaskToImage, ImageToMask, InvertMask, GrowMask (grow, tapered, shrink),
 * FeatherMask, MaskComposite (every operation), ThresholdMask, ImageBlend (every mode): all bit-exact.
 */
import { expect, it } from 'vitest';
import { agreement, callOnGoldenInputs, diffAgainst, outputKeys, runNodeCase } from '../../helpers/comfy-node-case';
import { describeGolden } from '../../helpers/golden';

describeGolden('mask nodes match ComfyUI (comfy-nodes masks_images)', () => {
  it("every node output, end to end and on the golden's own inputs", async () => {
    const run = await runNodeCase('masks_images');
    const keys = outputKeys(run);
    expect(keys).toHaveLength(26);
    for (const k of keys) expect(agreement(run, k).maxAbs, `${k} (${run.workflow.nodes[k.split('.')[0]].type})`).toBe(0);
    for (const id of Object.keys(run.workflow.nodes).filter((i) => run.workflow.nodes[i].type !== 'LoadImage')) {
      expect(diffAgainst(run, `${id}.0`, await callOnGoldenInputs(run, id)), id).toBe(0);
    }
  });

  it('the comparison discriminates: a tapered grow where a square one was asked, another blend mode', async () => {
    const run = await runNodeCase('masks_images', { execute: false });
    run.workflow.nodes['8'].params = { ...run.workflow.nodes['8'].params, tapered_corners: true };
    expect(diffAgainst(run, '8.0', await callOnGoldenInputs(run, '8'))).toBeGreaterThan(0.5);
    run.workflow.nodes['21'].params = { ...run.workflow.nodes['21'].params, blend_mode: 'screen' };
    expect(diffAgainst(run, '21.0', await callOnGoldenInputs(run, '21'))).toBeGreaterThan(0.01);
  });
});
