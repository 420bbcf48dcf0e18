/** VAEEncodeForInpaint's input checks (its numbers are checked against ComfyUI in comfy-goldens.test.ts). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePaths } from '../../server/config/paths';
import { ModelCache } from '../../server/runtime/model-cache';
import { callNode } from '../helpers/nodes';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-inpaint-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const o = { paths: resolvePaths({ root: dir }), models: new ModelCache(2 ** 20) };
// never reached: the checks come before the VAE is loaded
const vae = { kind: 'vae', key: 'none', recipe: [], vae: {} };
const image = (b: number, h: number, w: number) => ({ shape: [b, h, w, 3], data: new Float32Array(b * h * w * 3) });

describe('VAEEncodeForInpaint', () => {
  it('refuses a mask batch that fits neither one nor every image', async () => {
    const mask = { shape: [2, 16, 16], data: new Float32Array(2 * 256) };
    await expect(callNode('VAEEncodeForInpaint', {}, { pixels: image(3, 16, 16), vae, mask }, o)).rejects.toThrow(
      'mask: a batch of 2 masks for 3 images (expected 1 or 3)',
    );
  });
  it('refuses an image smaller than 8 pixels', async () => {
    const mask = { shape: [1, 4, 4], data: new Float32Array(16) };
    await expect(callNode('VAEEncodeForInpaint', {}, { pixels: image(1, 4, 4), vae, mask }, o)).rejects.toThrow(
      'pixels: a 4x4 image is smaller than 8 pixels',
    );
  });
});
