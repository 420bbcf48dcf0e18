/**
 * Inpainting UNets (9 input channels) and InpaintModelConditioning against ComfyUI's own runs. There is no golden
 * inpainting model, so the test makes one as the harness did (tests/fixtures/comfy-refs/inpaint_cases.py): tiny-sd1 with five
 * more input channels on input_blocks.0.0 (values exact in fp16), and checks the numbers ComfyUI computed with it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openSafetensors } from '../../server/runtime/io/safetensors';
import { writeSafetensors, type TensorEntry } from '../../server/runtime/io/safetensors-write';
import { float32ToF16 } from '../../server/runtime/io/dtype';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import type { Conditioning } from '../../server/runtime/handles';
import type { LatentValue } from '../../server/runtime/values';
import { inpaintConcat, resizeToBatchSize } from '../../server/runtime/sampling/concat-cond';
import { relErr, runComfyCase, type CaseRun } from '../helpers/comfy-case';
import { describeGolden, golden } from '../helpers/golden';
import { callNode } from '../helpers/nodes';
import { resolvePaths } from '../../server/config/paths';
import { ModelCache } from '../../server/runtime/model-cache';

const IN_CONV = 'model.diffusion_model.input_blocks.0.0.weight';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-inpaint-model-'));
const runs: CaseRun[] = [];
afterAll(async () => {
  await sessionCache.clear();
  for (const r of runs) r.root.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** tiny-sd1 / tiny-sdxl with input conv [C, 4 + 5, 3, 3]: the extra weights are ((i·37) mod 21 − 10) / 128 */
async function writeInpaintModel(source: string, target: string): Promise<void> {
  const src = await openSafetensors(source);
  const entries: TensorEntry[] = [...src.tensors].map(([name, t]) => {
    if (name !== IN_CONV) return { name, dtype: t.dtype, shape: t.shape, data: async () => new Uint8Array(await t.read()) };
    const [o, i, kh, kw] = t.shape;
    if (t.dtype !== 'F16' || i !== 4) throw new Error(`${path.basename(source)}'s ${IN_CONV} is ${t.dtype} [${t.shape.join(', ')}]`);
    return {
      name,
      dtype: 'F16',
      shape: [o, 9, kh, kw],
      data: async () => {
        const orig = new Uint16Array(new Uint8Array(await t.read()).buffer.slice(0));
        const extra = float32ToF16(Float32Array.from({ length: o * 5 * kh * kw }, (_, k) => (((k * 37) % 21) - 10) / 128));
        const out = new Uint16Array(o * 9 * kh * kw);
        const per = kh * kw;
        for (let c = 0; c < o; c++) {
          out.set(orig.subarray(c * 4 * per, (c + 1) * 4 * per), c * 9 * per);
          out.set(extra.subarray(c * 5 * per, (c + 1) * 5 * per), (c * 9 + 4) * per);
        }
        return new Uint8Array(out.buffer);
      },
    };
  });
  await writeSafetensors(target, entries, src.metadata);
}

const workflow = (ckpt: string, noiseMask: boolean, denoise = 1) => ({
  1: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: ckpt } },
  2: { class_type: 'CLIPTextEncode', inputs: { text: 'a photo of a cat', clip: ['1', 1] } },
  3: { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['1', 1] } },
  4: { class_type: 'LoadImage', inputs: { image: 'rgba_hole_64.png' } },
  5: {
    class_type: 'InpaintModelConditioning',
    inputs: { positive: ['2', 0], negative: ['3', 0], vae: ['1', 2], pixels: ['4', 0], mask: ['4', 1], noise_mask: noiseMask },
  },
  6: {
    class_type: 'KSampler',
    inputs: {
      seed: 51,
      steps: 3,
      cfg: 7.0,
      sampler_name: 'euler',
      scheduler: 'normal',
      denoise,
      model: ['1', 0],
      positive: ['5', 0],
      negative: ['5', 1],
      latent_image: ['5', 2],
    },
  },
});

/** ComfyUI's numbers (comfy_run.py on the same model and workflow): 16 evenly spaced values of the latent and Σ|x| */
const COMFY = {
  'inpaint-model': {
    sampled: [
      56.8034, 48.2702, 55.0168, 9.50961, 54.2495, -96.4753, -29.9103, 10.0172, 73.9213, -34.1072, -7.27012, 108.345, -60.242, 63.2079, -106.296,
      92.3475,
    ],
    absSum: 20201.9,
  },
  'plain-model': {
    sampled: [
      56.2338, 45.9865, 55.4145, 2.43937, 50.5044, -99.923, -30.8516, 7.99431, 75.0311, -31.6349, -10.7371, 104.464, -64.2, 60.3298, -109.073,
      92.3852,
    ],
    absSum: 19924.3,
  },
  'inpaint-model-noise-mask': {
    sampled: [
      0.112891, 0.190549, -0.330842, -0.291964, -0.503322, -0.143579, 0.28123, 0.00582492, -0.107373, -0.202056, -0.28826, 0.0993102, 0.206001,
      0.506697, -0.27547, 0.151677,
    ],
    absSum: 2513.8,
  },
  'inpaint-odd-sizes': {
    sampled: [
      0.377338, -0.238734, 11.6757, -50.893, -0.514929, 0.263321, -111.158, -48.5085, -0.167995, -0.306312, 85.4515, -157.07, 0.80257, -0.758009,
      87.6578, -116.723,
    ],
    absSum: 4425.19,
  },
  'inpaint-model-no-concat': {
    sampled: [
      62.7364, 46.5286, 63.9342, 2.00109, 51.7705, -103.63, -42.1536, 5.26306, 70.3659, -32.6706, -13.523, 106.797, -60.6996, 55.5191, -118.995,
      89.7154,
    ],
    absSum: 19843.5,
  },
};
const CONCAT_LATENT = [
  0.0473394, -0.182679, -0.186481, -0.274504, -0.567891, 0.15309, -0.160821, -0.0378901, 0.00478968, -0.694276, -0.498103, 0.0459294, -0.131201,
  0.645707, -0.405562, -0.178635,
];
const ORIG_LATENT = [
  0.112891, 0.190549, -0.330842, -0.291964, -0.503322, -0.143579, 0.28123, 0.00582492, -0.107373, -0.202056, -0.28826, 0.0993102, 0.206001, 0.506697,
  -0.27547, 0.151677,
];

const every16 = (a: Float32Array) => Array.from({ length: 16 }, (_, i) => a[i * Math.floor(a.length / 16)]);
const absSum = (a: Float32Array) => a.reduce((s, v) => s + Math.abs(v), 0);

async function run(name: string, wf: object): Promise<CaseRun> {
  const caseDir = path.join(dir, name);
  fs.mkdirSync(caseDir, { recursive: true });
  fs.copyFileSync(golden('comfy-nodes', 'inpaint_vae_encode_for_inpaint', 'rgba_hole_64.png'), path.join(caseDir, 'rgba_hole_64.png'));
  fs.writeFileSync(path.join(caseDir, 'workflow_api.json'), JSON.stringify(wf));
  const r = await runComfyCase(caseDir, {
    models: Object.fromEntries(['tiny-sd1-inpaint.safetensors', 'tiny-sdxl-inpaint.safetensors'].map((f) => [`checkpoints/${f}`, path.join(dir, f)])),
  });
  runs.push(r);
  return r;
}

function expectSampled(r: CaseRun, name: keyof typeof COMFY): Float32Array {
  const got = (r.bySlot('6.0') as LatentValue).samples.data;
  const want = COMFY[name];
  const err = relErr(every16(got), want.sampled);
  console.log(`[comfy] ${name}: latent rel err ${err.toExponential(2)}`);
  // the latents reach |x| ≈ 400: 1e-3 of the largest, as the other ComfyUI sampling goldens
  expect(err).toBeLessThanOrEqual(1e-3);
  expect(Math.abs(absSum(got) - want.absSum) / want.absSum).toBeLessThan(1e-4);
  return got;
}

/** the odd-sizes case: a 68x60 image (cropped to 64x56) and a 40x56 mask (resized to the image) */
const ODD = {
  concat: [
    0.225819, -0.739846, -0.250614, -0.0771089, -0.276162, 0.152533, 0.315294, 0.138404, -0.410588, -0.29439, -0.129846, -0.5781, 0.572704, -0.827926,
    0.522941, 0.345011,
  ],
  original: [
    0.377338, -0.238734, -0.520897, -0.12641, -0.514929, 0.263321, 0.242867, 0.330995, -0.167995, -0.306312, 0.145386, -0.307269, 0.802569, -0.758009,
    0.473927, 0.664421,
  ],
  maskSum: 1182.35,
  mask: [0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0.581699, 0, 0],
};

describeGolden('inpainting models and InpaintModelConditioning (ComfyUI runs)', () => {
  beforeAll(async () => {
    await writeInpaintModel(golden('tiny-sd1', 'model.safetensors'), path.join(dir, 'tiny-sd1-inpaint.safetensors'));
    await writeInpaintModel(golden('tiny-sdxl', 'model.safetensors'), path.join(dir, 'tiny-sdxl-inpaint.safetensors'));
  });

  it('a 9-channel inpainting UNet samples with the greyed image and mask as its extra channels', async () => {
    const r = await run('inpaint-model', workflow('tiny-sd1-inpaint.safetensors', false));
    const pos = (r.bySlot('5.0') as Conditioning).entries[0];
    expect(pos.concatMask?.shape).toEqual([1, 1, 64, 64]);
    expect(relErr(every16(pos.concatLatentImage!.data), CONCAT_LATENT)).toBeLessThan(1e-4);
    // ComfyUI sets the same values on every entry of both lists
    expect((r.bySlot('5.1') as Conditioning).entries[0].concatLatentImage).toBe(pos.concatLatentImage);
    const latent = r.bySlot('5.2') as LatentValue;
    expect(relErr(every16(latent.samples.data), ORIG_LATENT)).toBeLessThan(1e-4);
    expect(latent.noise_mask).toBeUndefined();
    const inpaint = expectSampled(r, 'inpaint-model');
    // negative control: the plain model on the same inputs lands elsewhere (ComfyUI's two runs differ by 11 %)
    expect(relErr(every16(inpaint), COMFY['plain-model'].sampled)).toBeGreaterThan(1e-2);
  });

  it('a plain 4-channel model ignores the concat inputs (ComfyUI: img2img from the encoded image)', async () => {
    const r = await run('plain-model', workflow('tiny-sd1.safetensors', false, 0.8));
    expectSampled(r, 'plain-model');
  });

  it('an inpainting model given no concat inputs uses ComfyUI’s defaults (mask of ones, blank image)', async () => {
    const wf: Record<string, unknown> = { ...workflow('tiny-sd1-inpaint.safetensors', false) };
    delete wf[5];
    wf[7] = { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } };
    wf[6] = { ...(wf[6] as object), inputs: { ...workflow('', false)[6].inputs, positive: ['2', 0], negative: ['3', 0], latent_image: ['7', 0] } };
    const r = await run('inpaint-model-no-concat', wf);
    expectSampled(r, 'inpaint-model-no-concat');
  });

  it('noise_mask: the output latent carries the mask ComfyUI resized to the image, and sampling keeps the rest', async () => {
    const r = await run('inpaint-model-noise-mask', workflow('tiny-sd1-inpaint.safetensors', true));
    expectSampled(r, 'inpaint-model-noise-mask');
    const latent = r.bySlot('5.2') as LatentValue;
    const mask = (r.bySlot('5.1') as Conditioning).entries[0].concatMask!;
    expect(latent.noise_mask).toBe(mask);
    // LoadImage's mask is 1 − alpha: ComfyUI's mean over the hole image is 0.15813
    expect(mask.data.reduce((s, v) => s + v, 0) / mask.data.length).toBeCloseTo(0.15813, 4);
  });

  it('an image that is not a multiple of 8 and a mask of another size: cropped and resized as ComfyUI does', async () => {
    const wf: Record<string, unknown> = { ...workflow('tiny-sd1-inpaint.safetensors', true) };
    wf[8] = { class_type: 'ImageScale', inputs: { image: ['4', 0], upscale_method: 'bilinear', width: 68, height: 60, crop: 'disabled' } };
    wf[9] = { class_type: 'CropMask', inputs: { mask: ['4', 1], x: 8, y: 0, width: 40, height: 56 } };
    wf[5] = { ...(wf[5] as object), inputs: { ...workflow('', true)[5].inputs, pixels: ['8', 0], mask: ['9', 0] } };
    const r = await run('inpaint-odd-sizes', wf);
    const latent = r.bySlot('5.2') as LatentValue;
    expect(latent.samples.shape).toEqual([1, 4, 7, 8]);
    expect(latent.noise_mask?.shape).toEqual([1, 1, 56, 64]);
    const m = latent.noise_mask!.data;
    expect(Math.abs(m.reduce((s, v) => s + v, 0) - ODD.maskSum)).toBeLessThan(0.01);
    expect(relErr(every16(m), ODD.mask)).toBeLessThan(1e-5);
    expect(relErr(every16(latent.samples.data), ODD.original)).toBeLessThan(1e-4);
    expect(relErr(every16((r.bySlot('5.0') as Conditioning).entries[0].concatLatentImage!.data), ODD.concat)).toBeLessThan(1e-4);
    expectSampled(r, 'inpaint-odd-sizes');
  });

  it('an SDXL inpainting UNet (with the noise mask): the values ComfyUI sampled in the hole', async () => {
    const r = await run('sdxl-inpaint', workflow('tiny-sdxl-inpaint.safetensors', true));
    const got = (r.bySlot('6.0') as LatentValue).samples.data;
    // the 12 largest values (all inside the hole; outside it the latent is the encoded image)
    const at = [26, 27, 34, 35, 36, 90, 92, 98, 154, 163, 164, 219];
    const want = [118.684, 273.137, -247.042, 401.438, -345.266, 178.619, 307.112, 240.699, -220.192, -103.676, -124.106, -157.329];
    const err = relErr(
      at.map((i) => got[i]),
      want,
    );
    console.log(`[comfy] sdxl-inpaint: latent rel err ${err.toExponential(2)}`);
    expect(err).toBeLessThanOrEqual(1e-3);
    expect(Math.abs(absSum(got) - 3890.34) / 3890.34).toBeLessThan(1e-4);
  });
});

it('concat inputs: a mask at pixel size is resized and rounded to the latent, batch 1 spread to the latent batch', () => {
  const mask = { shape: [1, 1, 4, 4], data: Float32Array.from([0, 0, 1, 1, 0, 0, 1, 1, 0, 0.4, 1, 1, 0, 0, 1, 1]) };
  const latentImage = { shape: [1, 4, 2, 2], data: Float32Array.from({ length: 16 }, (_, i) => i) };
  const out = inpaintConcat({
    shape: [2, 4, 2, 2],
    family: 'sd1',
    concatLatentImage: latentImage,
    concatMask: mask,
    latentImage: new Float32Array(32),
    label: 'positive',
  });
  // per row: mask [0, 1, 0, 1] (bilinear 4 → 2 averages 2x2 blocks, then rounds), then the image × 0.18215
  expect(Array.from(out.subarray(0, 4))).toEqual([0, 1, 0, 1]);
  expect(out[4 + 5]).toBeCloseTo(5 * 0.18215, 6);
  expect(Array.from(out.subarray(20, 24))).toEqual([0, 1, 0, 1]);
  // no concat and no noise mask: ones and the blank latent
  const blank = inpaintConcat({ shape: [1, 4, 1, 1], family: 'sd1', latentImage: new Float32Array(4), label: 'positive' });
  expect(Array.from(blank)).toEqual([1, 0.8223, -0.6876, 0.6364, 0.138].map(Math.fround));
  expect(() =>
    inpaintConcat({
      shape: [1, 4, 2, 2],
      family: 'sd1',
      concatLatentImage: { shape: [1, 3, 2, 2], data: new Float32Array(12) },
      concatMask: mask,
      latentImage: new Float32Array(16),
      label: 'negative entry 2',
    }),
  ).toThrow(/negative entry 2: concat_latent_image \[1, 3, 2, 2\] does not have the 4 channels/);
  // resize_to_batch_size picks rows evenly (3 → 2: rows 0 and 2)
  expect(Array.from(resizeToBatchSize({ shape: [3, 1], data: Float32Array.of(7, 8, 9) }, 2).data)).toEqual([7, 9]);
});

it('InpaintModelConditioning refuses a mask batch that fits neither one nor every image, and an image under 8 pixels', async () => {
  const o = { paths: resolvePaths({ root: dir }), models: new ModelCache(2 ** 20) };
  // never reached: the checks come before the VAE is loaded
  const vae = { kind: 'vae', key: 'none', recipe: [], vae: {} };
  const cond = { kind: 'conditioning', entries: [{ family: 'sd1', cross: { shape: [1, 77, 8], data: new Float32Array(77 * 8) } }] };
  const image = (b: number, h: number, w: number) => ({ shape: [b, h, w, 3], data: new Float32Array(b * h * w * 3) });
  const inputs = (pixels: unknown, mask: unknown) => ({ positive: cond, negative: cond, vae, pixels, mask });
  await expect(
    callNode('InpaintModelConditioning', {}, inputs(image(3, 16, 16), { shape: [2, 16, 16], data: new Float32Array(512) }), o),
  ).rejects.toThrow('mask: a batch of 2 masks for 3 images (expected 1 or 3)');
  await expect(callNode('InpaintModelConditioning', {}, inputs(image(1, 4, 4), { shape: [1, 4, 4], data: new Float32Array(16) }), o)).rejects.toThrow(
    'pixels: a 4x4 image is smaller than 8 pixels',
  );
});
