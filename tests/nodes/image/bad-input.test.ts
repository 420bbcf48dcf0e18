/**
 * Bad input on the image, mask and latent nodes: each is a clear error naming the node input (the scheduler shows
 * the input with the node), raised before memory is spent; where ComfyUI quietly clamps, we do the same and warn.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeInputError } from '../../../nodes/invoke';
import type { ParamValue } from '../../../nodes/types';
import { resolvePaths } from '../../../server/config/paths';
import { ModelCache } from '../../../server/runtime/model-cache';
import { Engine } from '../../../server/scheduler/engine';
import { createInProcessExecutor } from '../../../server/scheduler/inprocess-executor';
import { MAX_TENSOR_ELEMENTS } from '../../../server/runtime/image/limits';
import type { FloatTensor, LatentValue } from '../../../server/runtime/values';
import { callNode } from '../../helpers/nodes';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-bad-input-'));
const paths = resolvePaths({ root });
fs.mkdirSync(paths.input, { recursive: true });
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const call = (type: string, params: Record<string, ParamValue>, inputs: Record<string, unknown> = {}) =>
  callNode(type, params, inputs, { paths, models: new ModelCache(1) });

const image = (n: number, h: number, w: number, c = 3): FloatTensor => ({ shape: [n, h, w, c], data: new Float32Array(n * h * w * c).fill(0.5) });
const mask = (n: number, h: number, w: number): FloatTensor => ({ shape: [n, h, w], data: new Float32Array(n * h * w).fill(1) });
const latent = (n: number, c: number, h: number, w: number): LatentValue => ({
  samples: { shape: [n, c, h, w], data: new Float32Array(n * c * h * w) },
});

/** Awaits a rejection and returns it as the NodeInputError it must be. */
async function inputError(p: Promise<unknown>): Promise<NodeInputError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(NodeInputError);
  return e as NodeInputError;
}

/** A well-formed PNG that claims w x h (its one IDAT holds a few bytes: the decoder must never get that far). */
function pngClaiming(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.alloc(64))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('sizes are checked before memory is spent', () => {
  it('EmptyImage 16384 x 16384 is refused on "width" with the size it would take; 20000 is refused by the schema', async () => {
    const e = await inputError(call('EmptyImage', { width: 16384, height: 16384, batch_size: 1, color: 0 }));
    expect(e.input).toBe('width');
    expect(e.message).toMatch(/\[1, 16384, 16384, 3\] would take 3\.0 GiB, more than the 2\.0 GiB one tensor may/);
    const engine = new Engine({ paths, executor: createInProcessExecutor(paths), durable: false });
    const prepared = await engine.prepare({
      format: 'latentloom.workflow',
      version: 2,
      nodes: {
        e: { type: 'EmptyImage', params: { width: 20000, height: 20000, batch_size: 1, color: 0 } },
        p: { type: 'PreviewImage', params: {}, inputs: { images: { node: 'e', output: 'IMAGE' } } },
      },
    });
    expect(prepared.errors).toMatchObject([
      { code: 'VALUE_OUT_OF_RANGE', nodeId: 'e', input: 'width' },
      { code: 'VALUE_OUT_OF_RANGE', nodeId: 'e', input: 'height' },
    ]);
    await engine.close();
  });

  it('ImageScale, RepeatImageBatch and LatentUpscale refuse outputs past the limit', async () => {
    expect(
      (await inputError(call('ImageScale', { upscale_method: 'bilinear', width: 16384, height: 16384, crop: 'disabled' }, { image: image(1, 2, 2) })))
        .input,
    ).toBe('width');
    expect((await inputError(call('RepeatImageBatch', { amount: 4096 }, { image: image(2, 256, 256) }))).input).toBe('amount');
    expect(
      (
        await inputError(
          call('LatentUpscale', { upscale_method: 'bilinear', width: 16384, height: 16384, crop: 'disabled' }, { samples: latent(64, 4, 8, 8) }),
        )
      ).input,
    ).toBe('width');
    expect(MAX_TENSOR_ELEMENTS).toBe(2 ** 29);
  });

  it('LoadImageMask and LoadImage refuse a 20000x20000 PNG from its header, naming the file', async () => {
    fs.writeFileSync(path.join(paths.input, 'huge.png'), pngClaiming(20000, 20000));
    await expect(call('LoadImageMask', { image: 'huge.png', channel: 'alpha' })).rejects.toThrow(/^huge\.png: .*20000.*LOOM_MAX_IMAGE_PIXELS/);
    await expect(call('LoadImage', { image: 'huge.png' })).rejects.toThrow(/^huge\.png: .*20000/);
    fs.writeFileSync(path.join(paths.input, 'not.png'), Buffer.from('this is not an image at all, just text'));
    await expect(call('LoadImageMask', { image: 'not.png', channel: 'red' })).rejects.toThrow(/^not\.png: /);
  });
});

describe('mismatches name the input', () => {
  it('batches that cannot pair', async () => {
    expect(
      (await inputError(call('MaskComposite', { x: 0, y: 0, operation: 'add' }, { destination: mask(2, 4, 4), source: mask(3, 4, 4) }))).input,
    ).toBe('source');
    expect(
      (await inputError(call('ImageBlend', { blend_factor: 0.5, blend_mode: 'normal' }, { image1: image(2, 4, 4), image2: image(3, 4, 4) }))).input,
    ).toBe('image2');
    expect(
      (await inputError(call('LatentComposite', { x: 0, y: 0, feather: 0 }, { samples_to: latent(2, 4, 4, 4), samples_from: latent(3, 4, 4, 4) })))
        .input,
    ).toBe('samples_from');
  });

  it('channels that cannot pair', async () => {
    expect((await inputError(call('LatentAdd', {}, { samples1: latent(1, 4, 4, 4), samples2: latent(1, 16, 4, 4) }))).message).toMatch(
      /16 channels, samples1 4/,
    );
    expect(
      (
        await inputError(
          call('ImageCompositeMasked', { x: 0, y: 0, resize_source: false }, { destination: image(1, 4, 4, 4), source: image(1, 4, 4, 3) }),
        )
      ).input,
    ).toBe('source');
    expect((await inputError(call('ImageToMask', { channel: 'alpha' }, { image: image(1, 4, 4, 3) }))).message).toMatch(
      /3 channels, so no alpha one/,
    );
    expect((await inputError(call('ImageQuantize', { colors: 4, dither: 'none' }, { image: image(1, 4, 4, 4) }))).input).toBe('image');
  });

  it('positions and parameters that leave nothing, or that the filter cannot take', async () => {
    expect((await inputError(call('CropMask', { x: 10, y: 0, width: 4, height: 4 }, { mask: mask(1, 4, 8) }))).input).toBe('x');
    expect((await inputError(call('ImageBlur', { blur_radius: 4, sigma: 1 }, { image: image(1, 4, 9) }))).input).toBe('blur_radius');
    expect((await inputError(call('ImageScaleBy', { upscale_method: 'area', scale_by: 0.01 }, { image: image(1, 20, 20) }))).input).toBe('scale_by');
    expect((await inputError(call('LatentUpscaleBy', { upscale_method: 'area', scale_by: 0.05 }, { samples: latent(1, 4, 8, 8) }))).input).toBe(
      'scale_by',
    );
    expect((await inputError(call('Canny', { low_threshold: 0.6, high_threshold: 0.2 }, { image: image(1, 8, 8) }))).input).toBe('low_threshold');
  });
});

describe('where ComfyUI clamps, we clamp and say so', () => {
  it('LatentFromBatch and ImageFromBatch past the batch take its last items, with a warning', async () => {
    const l = await call('LatentFromBatch', { batch_index: 5, length: 3 }, { samples: latent(2, 4, 2, 2) });
    expect((l.outputs.LATENT as LatentValue).samples.shape[0]).toBe(1);
    expect((l.outputs.LATENT as LatentValue).batch_index).toEqual([1]);
    expect(l.warnings[0]).toMatch(/holds 2 latents: took 1 from index 1 \(asked 3 from 5\)/);
    const i = await call('ImageFromBatch', { batch_index: 1, length: 9 }, { image: image(3, 2, 2) });
    expect((i.outputs.IMAGE as FloatTensor).shape[0]).toBe(2);
    expect(i.warnings).toHaveLength(1);
  });

  it('GetImageSize reports width, height and batch', async () => {
    expect((await call('GetImageSize', {}, { image: image(3, 5, 7) })).outputs).toEqual({ width: 7, height: 5, batch_size: 3 });
  });
});
