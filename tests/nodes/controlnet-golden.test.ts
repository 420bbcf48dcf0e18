/** ControlNetLoader, DiffControlNetLoader, ControlNetApply(Advanced) against ComfyUI's runs (../shared/golden/comfy-models/controlnet). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import { openSafetensors } from '../../server/runtime/io/safetensors';
import { writeSafetensors } from '../../server/runtime/io/safetensors-write';
import { diffusersToLdmMap } from '../../server/runtime/checkpoint/diffusers-unet';
import { toFloat32 } from '../../server/runtime/io/dtype';
import type { ImageValue, LatentValue } from '../../server/runtime/values';
import { relErr, runComfyCase, type CaseRun } from '../helpers/comfy-case';
import { describeGolden, golden } from '../helpers/golden';
import { readGoldenTensors, type GoldenTensor } from '../helpers/read-golden';

const DIR = () => golden('comfy-models', 'controlnet');
const runs: CaseRun[] = [];
const temps: string[] = [];
let gold: Map<string, GoldenTensor> | undefined;
afterAll(async () => {
  await sessionCache.clear();
  for (const r of runs) r.root.cleanup();
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});

const models = (extra: Record<string, string> = {}) => ({
  'controlnet/tiny-controlnet-sd15.safetensors': path.join(DIR(), 'tiny-controlnet-sd15.safetensors'),
  'controlnet/tiny-diff-controlnet-sd15.safetensors': path.join(DIR(), 'tiny-diff-controlnet-sd15.safetensors'),
  ...extra,
});

type Api = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/** A case's workflow changed by `edit`, in a temp folder beside copies of the hint PNGs. */
function editedCase(name: string, edit: (wf: Api) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-cn-'));
  temps.push(dir);
  for (const f of fs.readdirSync(DIR())) if (f.endsWith('.png')) fs.copyFileSync(path.join(DIR(), f), path.join(dir, f));
  const wf = JSON.parse(fs.readFileSync(path.join(DIR(), `${name}.workflow_api.json`), 'utf8')) as Api;
  edit(wf);
  fs.writeFileSync(path.join(dir, 'workflow_api.json'), JSON.stringify(wf));
  return dir;
}

async function run(
  dir: string,
  workflowFile: string,
  extraModels: Record<string, string> = {},
): Promise<{ latent: Float32Array; image: Float32Array }> {
  const r = await runComfyCase(dir, { workflowFile, models: models(extraModels) });
  runs.push(r);
  return { latent: (r.bySlot('3.0') as LatentValue).samples.data, image: (r.bySlot('8.0') as ImageValue).data };
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

async function check(name: string): Promise<Float32Array> {
  gold ??= await readGoldenTensors(path.join(DIR(), 'golden.safetensors'));
  const got = await run(DIR(), `${name}.workflow_api.json`);
  const want = gold.get(`${name}/3.0.LATENT.samples`)?.data as Float32Array;
  const wantImage = gold.get(`${name}/8.0.IMAGE`)?.data as Float32Array;
  const err = relErr(got.latent, want);
  const imgErr = maxAbs(got.image, wantImage);
  console.log(`[comfy] ${name}: latent rel err ${err.toExponential(2)}, image max abs err ${imgErr.toExponential(2)}`);
  expect(err).toBeLessThanOrEqual(1e-3);
  expect(imgErr).toBeLessThanOrEqual(2e-3);
  return got.latent;
}

/** The tiny ControlNet in fp32 under diffusers names (ComfyUI's unet_to_diffusers map inverted, plus the ControlNet parts). */
async function writeDiffusersCopy(target: string): Promise<void> {
  const src = await openSafetensors(path.join(DIR(), 'tiny-controlnet-sd15.safetensors'));
  // tiny-sd1's numbers: 3 levels of 2 ResBlocks, attention on levels 1 and 2, one transformer block in the middle
  const toLdm = diffusersToLdmMap({
    numResBlocks: [2, 2, 2],
    transformerDepth: [0, 0, 1, 1, 1, 1],
    transformerDepthMiddle: 1,
    transformerDepthOutput: [],
  });
  const toDiffusers = new Map([...toLdm].map(([d, l]) => [l, d]));
  for (const s of ['weight', 'bias']) {
    toDiffusers.set(`middle_block_out.0.${s}`, `controlnet_mid_block.${s}`);
    for (let i = 0; i < 9; i++) toDiffusers.set(`zero_convs.${i}.0.${s}`, `controlnet_down_blocks.${i}.${s}`);
    toDiffusers.set(`input_hint_block.0.${s}`, `controlnet_cond_embedding.conv_in.${s}`);
    for (let i = 0; i < 6; i++) toDiffusers.set(`input_hint_block.${2 * (i + 1)}.${s}`, `controlnet_cond_embedding.blocks.${i}.${s}`);
    toDiffusers.set(`input_hint_block.14.${s}`, `controlnet_cond_embedding.conv_out.${s}`);
  }
  const entries = [...src.tensors].map(([k, t]) => {
    const name = toDiffusers.get(k.replace(/^control_model\./, ''));
    if (!name) throw new Error(`no diffusers name for ${k}`);
    // fp32 (the golden file is fp16): fp16 values widen exactly, so the result must not move
    const data = async () => {
      const v = toFloat32(new Uint8Array(await t.read()), t.dtype);
      return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    };
    return { name, dtype: 'F32' as const, shape: t.shape, data };
  });
  await writeSafetensors(target, entries);
}

describeGolden('ControlNet (ComfyUI runs)', () => {
  it('ControlNetApply, ControlNetApplyAdvanced, the diff ControlNet, a chained ControlNet with a resized hint, and the baseline', async () => {
    const base = await check('no-controlnet-baseline');
    for (const name of ['controlnet-apply', 'controlnet-apply-advanced', 'diff-controlnet-apply-advanced', 'controlnet-chained-resized-hint']) {
      const got = await check(name);
      // the ControlNet matters: ComfyUI's runs differ from the baseline by 20-205 (of ~300)
      expect(relErr(got, base)).toBeGreaterThan(0.03);
    }
  });

  it('strength 0 and end_percent 0 give exactly the plain result', async () => {
    const plain = await run(DIR(), 'no-controlnet-baseline.workflow_api.json');
    const zero = editedCase('controlnet-apply-advanced', (wf) => {
      wf['12'].inputs.strength = 0;
    });
    const ended = editedCase('controlnet-apply-advanced', (wf) => {
      wf['12'].inputs.end_percent = 0;
    });
    const oldZero = editedCase('controlnet-apply', (wf) => {
      wf['12'].inputs.strength = 0;
    });
    for (const dir of [zero, ended, oldZero]) {
      const got = await run(dir, 'workflow_api.json');
      expect(maxAbs(got.latent, plain.latent)).toBe(0);
      expect(maxAbs(got.image, plain.image)).toBe(0);
    }
  });

  it('an fp32 diffusers-layout copy of the ControlNet gives the same result as the ldm file', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-cn-diffusers-'));
    temps.push(tmp);
    const file = path.join(tmp, 'tiny-controlnet-diffusers.safetensors');
    await writeDiffusersCopy(file);
    const ldm = await run(DIR(), 'controlnet-apply.workflow_api.json');
    const dir = editedCase('controlnet-apply', (wf) => {
      wf['11'].inputs.control_net_name = 'tiny-controlnet-diffusers.safetensors';
    });
    const got = await run(dir, 'workflow_api.json', { 'controlnet/tiny-controlnet-diffusers.safetensors': file });
    expect(maxAbs(got.latent, ldm.latent)).toBe(0);
  });
});
