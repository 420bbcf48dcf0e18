/**
 * SwinIR against spandrel's SwinIR as ComfyUI runs it (UpscaleModelLoader → ModelLoader, ImageUpscaleWithModel →
 * comfy.utils.tiled_scale over the descriptor call: pad to 16, the model's reflect pad to the window, clamp per tile,
 * blend, clamp). Models are written here from the formula in tests/helpers/swinir-weights.ts; the expected outputs in
 * swinir-vectors.data.ts come from tests/fixtures/comfy-refs/swinir_vectors.py, which fills spandrel's class with the
 * same formula (rerun it to regenerate). No python at test time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedUpscaleModel, upscaleImage } from '../../server/runtime/loaders/upscale-model';
import { ModelCache } from '../../server/runtime/model-cache';
import { upscalerFor } from '../../server/runtime/models/upscale';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import { swinirImage, writeSwinIR } from '../helpers/swinir-weights';
import { SWINIR_CASES } from './swinir-vectors.data';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swinir-'));
afterAll(async () => {
  await sessionCache.clear();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** max |ours - spandrel| over the sampled outputs (float32 in both; onnxruntime's kernels differ from torch's) */
const TOLERANCE = 1e-5;

describe('SwinIR vs spandrel (formula weights, inlined reference vectors)', () => {
  it('covers the heads and shapes the issue lists', () => {
    const ups = new Set(SWINIR_CASES.map((c) => `${c.model.upsampler}x${c.model.upscale}`));
    for (const u of ['pixelshufflex2', 'pixelshufflex4', 'pixelshuffledirectx2', 'nearest+convx4', 'x1']) expect(ups).toContain(u);
    expect(SWINIR_CASES.some((c) => c.model.in_chans === 1)).toBe(true);
    expect(new Set(SWINIR_CASES.map((c) => c.model.window_size)).size).toBeGreaterThanOrEqual(3);
    expect(SWINIR_CASES.some((c) => c.image[0] % c.model.window_size !== 0 && c.image[0] >= 16)).toBe(true);
  });

  SWINIR_CASES.forEach((want, n) => {
    it(want.name, async () => {
      const file = path.join(dir, `swinir-${n}.safetensors`);
      const dict = await writeSwinIR(file, want.model, want.gain);
      // the same tensors as python's: names, sizes and values (float64 sums agree to rounding)
      expect([dict.keys, dict.numel]).toEqual([want.keys, want.numel]);
      expect(Math.abs(dict.weightSum - want.weightSum)).toBeLessThan(1e-9 * want.numel);

      const models = new ModelCache(2 ** 30);
      const m = await cachedUpscaleModel(models, file);
      expect(m.spec.arch).toBe('SwinIR');
      expect(m.spec.scale).toBe(want.scale);
      const [h, w, c] = want.image;
      const data = swinirImage(h, w, c);
      let y: { data: Float32Array; shape: number[] };
      if (want.direct) {
        // the descriptor call on a [1, C, h, w] tile (ImageUpscaleWithModel cannot feed a 1-channel model)
        const chw = new Float32Array(data.length);
        for (let k = 0; k < c; k++) for (let i = 0; i < h * w; i++) chw[k * h * w + i] = data[i * c + k];
        const t = await (await upscalerFor(models, m)).run({ data: chw, shape: [1, c, h, w] });
        const [, oc, oh, ow] = t.shape;
        const nhwc = new Float32Array(t.data.length);
        for (let k = 0; k < oc; k++) for (let i = 0; i < oh * ow; i++) nhwc[i * oc + k] = t.data[k * oh * ow + i];
        y = { data: nhwc, shape: [1, oh, ow, oc] };
      } else {
        y = await upscaleImage(models, m, { data, shape: [1, h, w, c] }, { tile: want.tile, overlap: want.overlap });
      }
      expect(y.shape).toEqual(want.shape);
      let err = 0;
      want.values.forEach((v, i) => {
        err = Math.max(err, Math.abs(v - y.data[i * want.stride]));
      });
      console.log(`[swinir] ${want.name}: max err vs spandrel ${err.toExponential(2)} over ${want.values.length} values`);
      expect(err).toBeLessThanOrEqual(TOLERANCE);
    });
  });
});
