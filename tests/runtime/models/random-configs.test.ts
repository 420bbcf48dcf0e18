import { describe, expect, it } from 'vitest';
import { memoryProvider } from '../../helpers/model-weights';
import { randomClip, randomUNet, randomVae, rng } from '../../helpers/random-models';
import { createTextEncoder, createUNet, createVae } from '../../../server/runtime/models';
import { tempRuntime } from '../../helpers/temp-runtime';

const opts = tempRuntime('wc').cpu;

function randn(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}
const allFinite = (a: Float32Array) => a.every(Number.isFinite);

describe('configs no fixture has: nothing is hard-wired', () => {
  it('UNet: linear projections, 64-wide heads, attention only at level 0, depth 2, SDXL y seam', async () => {
    const spec = {
      inChannels: 4,
      modelChannels: 64,
      channelMult: [1, 3],
      numResBlocks: 1,
      attentionLevels: [0],
      depth: 2,
      contextDim: 96,
      linearProjection: true,
      admInChannels: 40,
    };
    const unet = await createUNet(memoryProvider(randomUNet(spec), 'rand-unet'), opts);
    expect(unet.config).toMatchObject({
      modelChannels: 64,
      channelMult: [1, 3],
      numResBlocks: [1, 1],
      transformerDepth: [2, 0],
      transformerDepthMiddle: 2,
      transformerDepthOutput: [0, 0, 2, 2],
      contextDim: 96,
      heads: { headChannels: 64 },
      linearProjection: true,
      admInChannels: 40,
      timeEmbedDim: 256,
    });
    const [B, H, W, T] = [3, 6, 10, 5];
    const out = await unet.run(
      { data: randn(B * 4 * H * W, 1), shape: [B, 4, H, W] },
      Float32Array.of(1, 500.5, 999),
      { data: randn(B * T * 96, 2), shape: [B, T, 96] },
      { data: randn(B * 40, 3), shape: [B, 40] },
    );
    expect(out.shape).toEqual([B, 4, H, W]);
    expect(allFinite(out.data)).toBe(true);
    await expect(
      unet.run({ data: randn(4 * 36, 1), shape: [1, 4, 6, 6] }, Float32Array.of(1), { data: randn(96, 2), shape: [1, 1, 96] }),
    ).rejects.toThrow(/needs the y vector/);
  });

  it('UNet: conv projections, three levels, attention at levels 1 and 2, 8 heads', async () => {
    const spec = {
      inChannels: 9,
      modelChannels: 32,
      channelMult: [1, 2, 4],
      numResBlocks: 2,
      attentionLevels: [1, 2],
      depth: 1,
      contextDim: 48,
      linearProjection: false,
    };
    const unet = await createUNet(memoryProvider(randomUNet(spec, 7), 'rand-unet-2'), opts);
    expect(unet.config).toMatchObject({
      inChannels: 9,
      outChannels: 9,
      channelMult: [1, 2, 4],
      numResBlocks: [2, 2, 2],
      transformerDepth: [0, 1, 1],
      heads: { numHeads: 8 },
    });
    const out = await unet.run({ data: randn(2 * 9 * 8 * 4, 4), shape: [2, 9, 8, 4] }, Float32Array.of(3, 7), {
      data: randn(2 * 3 * 48, 5),
      shape: [2, 3, 48],
    });
    expect(out.shape).toEqual([2, 9, 8, 4]);
    expect(allFinite(out.data)).toBe(true);
  });

  it('CLIP: open_clip layout with packed in_proj, GELU, pooled projection at the EOS', async () => {
    const spec = { width: 128, layers: 3, intermediate: 256, vocab: 1000, positions: 16, openclip: true, projection: 32 };
    const tensors = randomClip(spec);
    const enc = await createTextEncoder(memoryProvider(tensors, 'rand-clip'), opts);
    expect(enc.config).toMatchObject({ layout: 'openclip', width: 128, layers: 3, heads: 2, activation: 'gelu', projectionDim: 32 });
    const ids = new Int32Array(2 * 16);
    ids.set([1, 5, 999, 0], 0); // "EOS" 999 is the largest id: pooled row 2
    ids.set([1, 999, 999, 0], 16); // first of two maxima: row 1
    const out = await enc.encode(ids);
    expect(out.hidden.shape).toEqual([2, 16, 128]);
    expect(out.pooled?.shape).toEqual([2, 32]);
    const proj = tensors.get('text_projection')!.data;
    for (const [b, row] of [
      [0, 2],
      [1, 1],
    ]) {
      for (const j of [0, 17, 31]) {
        let want = 0;
        for (let c = 0; c < 128; c++) want += out.hidden.data[(b * 16 + row) * 128 + c] * proj[c * 32 + j];
        expect(out.pooled!.data[b * 32 + j]).toBeCloseTo(want, 4);
      }
    }
    const skip = await enc.encode(ids, { layer: -3, finalNorm: false });
    expect(skip.hidden.shape).toEqual([2, 16, 128]);
    await expect(enc.encode(ids, { layer: -4 })).rejects.toThrow(/layer -4/);
  });

  it('CLIP: HF layout with a different width and depth', async () => {
    const enc = await createTextEncoder(
      memoryProvider(randomClip({ width: 192, layers: 4, intermediate: 384, vocab: 500, positions: 10 }), 'rand-clip-hf'),
      opts,
    );
    expect(enc.config).toMatchObject({ layout: 'hf', width: 192, heads: 3, layers: 4, activation: 'quick_gelu' });
    const out = await enc.encode(new Int32Array(10).fill(7));
    expect(out.hidden.shape).toEqual([1, 10, 192]);
  });

  it('VAE: two levels, two res blocks, 3 latent channels, non-square', async () => {
    const vae = await createVae(memoryProvider(randomVae({ ch: 32, chMult: [1, 2], numResBlocks: 2, zChannels: 3 }), 'rand-vae'), opts);
    expect(vae.config).toMatchObject({ ch: 32, chMult: [1, 2], numResBlocks: 2, zChannels: 3, embedDim: 3, hasEncoder: true });
    const post = await vae.encode({ data: randn(2 * 3 * 16 * 24, 6), shape: [2, 3, 16, 24] });
    expect(post.mean.shape).toEqual([2, 3, 8, 12]);
    expect(post.logvar.data.every((v) => v >= -30 && v <= 20)).toBe(true);
    const img = await vae.decode(post.mean);
    expect(img.shape).toEqual([2, 3, 16, 24]);
    expect(allFinite(img.data)).toBe(true);
  });
});
