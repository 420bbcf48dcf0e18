/**
 * SetUnionControlNetType and ControlNetInpaintingAliMamaApply on ComfyUI's ControlNetApplyAdvanced case
 * (../shared/golden/comfy-models/controlnet): for the ControlNets we load, ComfyUI's own code makes the first a no-op
 * (control_type is an argument those models ignore) and the second ControlNetApplyAdvanced (only concat_mask
 * ControlNets, DiT inpainting ones, take the masked hint and the mask), so the edited workflow must still give
 * ComfyUI's latent for the original case.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { REGISTRY } from '../../nodes/registry';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import type { LatentValue } from '../../server/runtime/values';
import { relErr, runComfyCase, type CaseRun } from '../helpers/comfy-case';
import { describeGolden, golden } from '../helpers/golden';
import { readGoldenTensors } from '../helpers/read-golden';

const runs: CaseRun[] = [];
const temps: string[] = [];
afterAll(async () => {
  await sessionCache.clear();
  for (const r of runs) r.root.cleanup();
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});

type Api = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

describeGolden('SetUnionControlNetType and ControlNetInpaintingAliMamaApply', () => {
  it("offers ComfyUI's union types", () => {
    const type = REGISTRY.schemas.SetUnionControlNetType.params.find((p) => p.name === 'type');
    expect(type?.kind === 'select' && type.options).toEqual([
      'auto',
      'openpose',
      'depth',
      'hed/pidi/scribble/ted',
      'canny/lineart/anime_lineart/mlsd',
      'normal',
      'segment',
      'tile',
      'repaint',
    ]);
  });

  it("give ComfyUI's ControlNetApplyAdvanced result for an SD1.5 ControlNet", async () => {
    const src = golden('comfy-models', 'controlnet');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-alimama-'));
    temps.push(dir);
    for (const f of fs.readdirSync(src)) if (f.endsWith('.png')) fs.copyFileSync(path.join(src, f), path.join(dir, f));
    const wf = JSON.parse(fs.readFileSync(path.join(src, 'controlnet-apply-advanced.workflow_api.json'), 'utf8')) as Api;
    wf['20'] = { class_type: 'SetUnionControlNetType', inputs: { control_net: ['11', 0], type: 'depth' } };
    wf['21'] = { class_type: 'ImageToMask', inputs: { image: ['10', 0], channel: 'red' } };
    const apply = wf['12'].inputs;
    wf['12'] = {
      class_type: 'ControlNetInpaintingAliMamaApply',
      inputs: { ...apply, control_net: ['20', 0], vae: ['4', 2], mask: ['21', 0] },
    };
    fs.writeFileSync(path.join(dir, 'workflow_api.json'), JSON.stringify(wf));
    const run = await runComfyCase(dir, {
      models: { 'controlnet/tiny-controlnet-sd15.safetensors': path.join(src, 'tiny-controlnet-sd15.safetensors') },
    });
    runs.push(run);
    const gold = await readGoldenTensors(path.join(src, 'golden.safetensors'));
    const want = gold.get('controlnet-apply-advanced/3.0.LATENT.samples')?.data as Float32Array;
    const base = gold.get('no-controlnet-baseline/3.0.LATENT.samples')?.data as Float32Array;
    const got = (run.bySlot('3.0') as LatentValue).samples.data;
    const err = relErr(got, want);
    console.log(`[comfy] alimama/union edit of controlnet-apply-advanced: latent rel err ${err.toExponential(2)}`);
    expect(err).toBeLessThanOrEqual(1e-3);
    // the ControlNet took part (ComfyUI's baseline without it is far away)
    expect(relErr(got, base)).toBeGreaterThan(0.03);
  });
});
