import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { ParamValue } from '../../nodes/types';
import { importComfyApi } from '../../nodes/workflow/comfy/import-api';
import { importComfyUi } from '../../nodes/workflow/comfy/import-ui';
import { readPngTextChunks, readWorkflowFromPng } from '../../nodes/workflow/png-text';
import { resolvePaths } from '../../server/config/paths';
import { ModelCache } from '../../server/runtime/model-cache';
import { writeSafetensors } from '../../server/runtime/io/safetensors-write';
import { isLatent, type ImageValue, type LatentValue, type MaskValue } from '../../server/runtime/values';
import { callNode } from '../helpers/nodes';
import { SCHEMAS, txt2img } from '../scheduler/fixtures';

function setup() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-run-'));
  fs.mkdirSync(path.join(root, 'input'));
  const paths = resolvePaths({ root });
  const call = (type: string, params: Record<string, ParamValue>, inputs: Record<string, unknown> = {}) =>
    callNode(type, params, inputs, { paths, models: new ModelCache(1), workflow: txt2img() });
  return { root, call };
}

describe('image and latent file nodes', () => {
  it('EmptyLatentImage makes zero latents at 1/8 size, flooring sizes that are not a multiple of 8 (as ComfyUI)', async () => {
    const { call } = setup();
    expect(((await call('EmptyLatentImage', { width: 64, height: 128, batch_size: 2 })).outputs.LATENT as LatentValue).samples.shape).toEqual([
      2, 4, 16, 8,
    ]);
    expect(((await call('EmptyLatentImage', { width: 72, height: 60, batch_size: 1 })).outputs.LATENT as LatentValue).samples.shape).toEqual([
      1, 4, 7, 9,
    ]);
  });

  it("SaveImage embeds our workflow and ComfyUI's prompt and workflow chunks; each reads back", async () => {
    const { call, root } = setup();
    const image: ImageValue = { shape: [1, 2, 3, 3], data: Float32Array.from({ length: 18 }, (_, i) => i / 17) };
    const { files } = await call('SaveImage', { filename_prefix: 'sub/pic' }, { images: image });
    expect(files).toEqual([{ path: 'sub/pic_00001_.png', kind: 'image' }]);
    const bytes = fs.readFileSync(path.join(root, 'output', files[0].path));
    expect(readWorkflowFromPng(bytes)).toEqual(txt2img());
    const chunks = readPngTextChunks(bytes);
    const api = importComfyApi(JSON.parse(chunks.prompt), SCHEMAS);
    const ui = importComfyUi(JSON.parse(chunks.workflow), SCHEMAS);
    expect(
      api.ok &&
        Object.values(api.workflow.nodes)
          .map((n) => n.type)
          .sort(),
    ).toEqual(
      Object.values(txt2img().nodes)
        .map((n) => n.type)
        .sort(),
    );
    expect(ui.ok && Object.keys(ui.workflow.nodes)).toHaveLength(7);
    // ComfyUI's PIL writes tEXt: so do we, when the text is Latin-1
    expect(bytes.includes(Buffer.from('tEXtprompt\0'))).toBe(true);
  });

  it('LoadImage reads the pixels; MASK is 1 − alpha, or a 64x64 zero mask without alpha (as ComfyUI)', async () => {
    const { call, root } = setup();
    const png = new PNG({ width: 3, height: 2 });
    for (let p = 0; p < 6; p++) png.data.set([p * 40, 255 - p * 40, 7, p === 4 ? 0 : 255], p * 4);
    fs.writeFileSync(path.join(root, 'input', 'a.png'), PNG.sync.write(png));
    const out = (await call('LoadImage', { image: 'a.png' })).outputs;
    const image = out.IMAGE as ImageValue;
    const mask = out.MASK as MaskValue;
    expect(image.shape).toEqual([1, 2, 3, 3]);
    expect(image.data[4 * 3]).toBeCloseTo(160 / 255, 6);
    expect(mask.shape).toEqual([1, 2, 3]);
    expect(Array.from(mask.data)).toEqual([0, 0, 0, 0, 1, 0]);
    fs.writeFileSync(path.join(root, 'input', 'rgb.png'), PNG.sync.write(png, { colorType: 2 }));
    const noAlpha = (await call('LoadImage', { image: 'rgb.png' })).outputs.MASK as MaskValue;
    expect(noAlpha.shape).toEqual([1, 64, 64]);
    expect(noAlpha.data.every((v) => v === 0)).toBe(true);
  });

  it('LoadImage reads JPEG and WebP (EXIF orientation applied), alpha WebP gives a mask; a huge image is refused from its header', async () => {
    const { call, root } = setup();
    const fixtures = path.resolve(import.meta.dirname, '../fixtures/images');
    for (const f of ['jpg_exif6.jpg', 'webp_lossy.webp', 'webp_lossless_alpha.webp'])
      fs.copyFileSync(path.join(fixtures, f), path.join(root, 'input', f));
    const jpg = (await call('LoadImage', { image: 'jpg_exif6.jpg' })).outputs;
    const plain = (await call('LoadImage', { image: 'webp_lossy.webp' })).outputs;
    const alpha = (await call('LoadImage', { image: 'webp_lossless_alpha.webp' })).outputs;
    expect((jpg.IMAGE as ImageValue).shape[3]).toBe(3);
    expect((plain.MASK as MaskValue).shape).toEqual([1, 64, 64]);
    const m = alpha.MASK as MaskValue;
    expect(m.shape.slice(1)).toEqual((alpha.IMAGE as ImageValue).shape.slice(1, 3));
    expect(m.data.some((v) => v > 0)).toBe(true);
    // a 20000x20000 PNG: only its header is read
    const big = new PNG({ width: 1, height: 1 });
    const bytes = PNG.sync.write(big);
    bytes.writeUInt32BE(20000, 16);
    bytes.writeUInt32BE(20000, 20);
    fs.writeFileSync(path.join(root, 'input', 'huge.png'), bytes);
    await expect(call('LoadImage', { image: 'huge.png' })).rejects.toThrow(/huge\.png: PNG image too large: 20000x20000.*LOOM_MAX_IMAGE_PIXELS/);
  });

  it('SaveImage refuses a prefix outside the output folder', async () => {
    const { call } = setup();
    await expect(call('SaveImage', { filename_prefix: '../escape' }, { images: { shape: [1, 1, 1, 3], data: new Float32Array(3) } })).rejects.toThrow(
      /outside/,
    );
  });

  it('SaveLatent writes a ComfyUI .latent that LoadLatent reads back unchanged', async () => {
    const { call, root } = setup();
    const samples = { shape: [1, 4, 2, 2], data: Float32Array.from({ length: 16 }, (_, i) => i - 8) };
    const { files } = await call('SaveLatent', { filename_prefix: 'latents/t' }, { samples: { samples } });
    fs.copyFileSync(path.join(root, 'output', files[0].path), path.join(root, 'input', 'a.latent'));
    const latent = (await call('LoadLatent', { latent: 'a.latent' })).outputs.LATENT;
    expect(isLatent(latent) && Array.from(latent.samples.data)).toEqual(Array.from(samples.data));
  });

  it('LoadLatent rescales a file without the version marker by 1/0.18215 as ComfyUI does', async () => {
    const { call, root } = setup();
    const data = new Float32Array([0.18215, -0.3643]);
    await writeSafetensors(path.join(root, 'input', 'old.latent'), [
      { name: 'latent_tensor', dtype: 'F32', shape: [1, 1, 1, 2], data: async () => new Uint8Array(data.buffer) },
    ]);
    const out = ((await call('LoadLatent', { latent: 'old.latent' })).outputs.LATENT as LatentValue).samples.data;
    expect(out[0]).toBeCloseTo(1, 5);
    expect(out[1]).toBeCloseTo(-2, 5);
  });
});
