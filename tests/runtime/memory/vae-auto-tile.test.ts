/** VAE decode/encode under a memory budget: tiles (as ComfyUI's out-of-memory fallback) instead of failing. */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { VaeHandle } from '../../../server/runtime/handles';
import { ModelCache } from '../../../server/runtime/model-cache';
import {
  decodeLatent,
  decodeLatentTiled,
  encodeImage,
  encodeImageTiled,
  ENCODE_FALLBACK_TILES,
  FALLBACK_TILES,
} from '../../../server/runtime/models/vae-images';
import { vaeFor } from '../../../server/runtime/models/cached';
import { sessionCache } from '../../../server/runtime/onnx/session-cache';
import { describeGolden, golden } from '../../helpers/golden';
import { maxAbsDiff } from '../../helpers/compare';
import { nodeCaller, loaded } from '../../nodes/ml/support';
import { pipelineRoot, type PipelineRoot } from '../pipeline/support';

describeGolden('VAE under a memory budget (tiny-sd1)', () => {
  let root: PipelineRoot;
  let models: ModelCache;
  let vae: VaeHandle;
  // an 80x80 latent (640x640 image): the tiny VAE's whole-image estimate is ~1.35 GB, its largest tile's ~1.1 GB
  const latent = { samples: { shape: [1, 4, 80, 80], data: Float32Array.from({ length: 4 * 80 * 80 }, (_, i) => Math.sin(i * 0.013) * 2) } };

  beforeAll(async () => {
    root = pipelineRoot({ 'checkpoints/a.safetensors': golden('tiny-sd1', 'model.safetensors') });
    process.env.LOOM_CACHE_DIR = path.join(root.root, 'weight-cache');
    models = new ModelCache(4 * 2 ** 30);
    vae = loaded((await nodeCaller(root.paths, models)('CheckpointLoaderSimple', { ckpt_name: 'a.safetensors' })).outputs).vae;
  });
  afterEach(() => {
    delete process.env.LOOM_MAX_JOB_MEMORY;
  });
  afterAll(async () => {
    await sessionCache.clear();
    root.cleanup();
  });

  it('decodes whole when it fits, in tiles with a warning when it does not, and refuses when even a tile does not', async () => {
    const warnings: string[] = [];
    const whole = await decodeLatent(models, vae, latent, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    const runtime = await vaeFor(models, vae);
    const direct = await runtime.decode(latent.samples);
    expect(whole.shape).toEqual([1, 640, 640, 3]);
    expect(whole.data[0]).toBeCloseTo(Math.min(1, Math.max(0, (direct.data[0] + 1) / 2)), 6);

    process.env.LOOM_MAX_JOB_MEMORY = String(1.2e9 / 2 ** 30);
    const tiles: number[] = [];
    const tiled = await decodeLatent(models, vae, latent, { warn: (m) => warnings.push(m), onTile: (done) => tiles.push(done) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/a 640x640 image needs about 1\.\d GiB to decode and 1\.1 GiB is available: decoding in tiles/);
    expect(maxAbsDiff(tiled.data, (await decodeLatentTiled(models, vae, latent, FALLBACK_TILES)).data)).toBe(0);
    expect(tiles.at(-1)).toBe(12); // 4 tiles in each of the 3 tilings
    // tiling is not free: the blend differs from the whole decode, a little
    const diff = maxAbsDiff(tiled.data, whole.data);
    expect(diff).toBeGreaterThan(0);

    process.env.LOOM_MAX_JOB_MEMORY = '0.5';
    await expect(decodeLatent(models, vae, latent)).rejects.toThrow(
      /decoding needs about 1\.\d GiB even in tiles and 0\.5 GiB is available .*LOOM_MAX_JOB_MEMORY/,
    );
  });

  it('encodes in tiles when the image does not fit', async () => {
    const image = { shape: [1, 1024, 1024, 3], data: Float32Array.from({ length: 1024 * 1024 * 3 }, (_, i) => (Math.sin(i * 0.001) + 1) / 2) };
    process.env.LOOM_MAX_JOB_MEMORY = String(1.4e9 / 2 ** 30);
    const warnings: string[] = [];
    const out = await encodeImage(models, vae, image, { warn: (m) => warnings.push(m) });
    expect(warnings[0]).toMatch(/a 1024x1024 image needs about .* to encode .*: encoding in tiles/);
    expect(out.samples.shape).toEqual([1, 4, 128, 128]);
    expect(maxAbsDiff(out.samples.data, (await encodeImageTiled(models, vae, image, ENCODE_FALLBACK_TILES)).samples.data)).toBe(0);
  });
});
