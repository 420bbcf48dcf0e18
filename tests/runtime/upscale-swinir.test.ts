/**
 * SwinIR against spandrel's own SwinIR as ComfyUI's ImageUpscaleWithModel calls it (descriptor padding to 16, the
 * model's window padding, clamp): tests/fixtures/comfy-refs/upscale_swinir_tiny.py makes a tiny random x2 model
 * and prints every 37th output value; needs /usr/bin/python3 with torch and the spandrel sources (ComfyUI's setup).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedUpscaleModel, upscaleImage } from '../../server/runtime/loaders/upscale-model';
import { ModelCache } from '../../server/runtime/model-cache';
import { sessionCache } from '../../server/runtime/onnx/session-cache';

const SPANDREL = path.join(process.env.GOLDEN_REF_ROOT ?? '/work/ref/golden', 'spandrel');
const have = fs.existsSync(SPANDREL) && fs.existsSync('/usr/bin/python3');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swinir-'));
afterAll(async () => {
  await sessionCache.clear();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!have)('SwinIR vs spandrel', () => {
  it('tiny x2 pixelshuffle, 10x14 input (padded to 16, window 4)', async () => {
    fs.mkdirSync(path.join(dir, 'upscale_models'));
    const script = path.resolve('tests/fixtures/comfy-refs/upscale_swinir_tiny.py');
    const out = execFileSync('/usr/bin/python3', [script], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const want = JSON.parse(out.trim().split('\n').pop() ?? '') as { shape: number[]; values: number[] };
    const models = new ModelCache(2 ** 30);
    const m = await cachedUpscaleModel(models, path.join(dir, 'upscale_models', 'swinir-tiny-x2.pth'));
    expect(m.spec.arch).toBe('SwinIR');
    const [h, w] = [10, 14];
    const data = new Float32Array(h * w * 3);
    for (let c = 0; c < 3; c++) for (let i = 0; i < h * w; i++) data[i * 3 + c] = Math.fround(0.5 + 0.4 * Math.sin((c * h * w + i) * 0.37));
    const y = await upscaleImage(models, m, { data, shape: [1, h, w, 3] });
    expect([y.shape[0], y.shape[3], y.shape[1], y.shape[2]]).toEqual(want.shape);
    const [, oh, ow, c] = y.shape;
    let err = 0;
    want.values.forEach((v, i) => {
      const j = i * 37;
      const k = Math.floor(j / (oh * ow));
      err = Math.max(err, Math.abs(v - y.data[(j % (oh * ow)) * c + k]));
    });
    console.log('[swinir] max err vs spandrel', err);
    // the reference is printed to 6 decimals
    expect(err).toBeLessThanOrEqual(2e-6);
  });
});
