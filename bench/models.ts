/**
 * SD1.5-sized random-weight models on the CPU provider (fp32): session build time, UNet step time
 * at 32x32 and 64x64 latents (batch 2 = one CFG step), CLIP ViT-L text encoder, VAE decode at 512x512,
 * peak RSS. Weights are written as fp32 .safetensors into a temp dir (deleted afterwards), so the
 * conv/bias/norm initializers point into that file and only pre-transposed MatMul weights are materialised.
 * Run: `npx tsx bench/models.ts` (LOOM_BENCH_SKIP_64=1 skips the 64x64 step, LOOM_BENCH_SKIP_VAE=1 the VAE).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSafetensors } from '../server/runtime/io/safetensors-write';
import { createTextEncoder, createUNet, createVae } from '../server/runtime/models';
import { sessionCache } from '../server/runtime/onnx/session';
import { WeightCache } from '../server/runtime/onnx/weights-cache';
import { openSafetensors } from '../server/runtime/io/safetensors';
import { stateDictProvider } from '../server/runtime/checkpoint/provider';
import type { WeightProvider } from '../server/runtime/checkpoint/weights';
import { randomClip, randomUNet, randomVae, type Tensors } from '../tests/helpers/random-models';
import { benchNoise as noise, figureLog, runIfMain, timed } from './lib/measure';

export interface ModelBenchResult {
  figures: Record<string, number>;
  lines: string[];
}

async function writeModel(file: string, tensors: Tensors): Promise<void> {
  await writeSafetensors(file, [...tensors].map(([name, t]) => ({
    name, dtype: 'F32' as const, shape: t.shape, data: async () => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
  })));
  tensors.clear();
}

async function fileProvider(file: string): Promise<WeightProvider> {
  return stateDictProvider((await openSafetensors(file)).tensors, file);
}


export async function run(): Promise<ModelBenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'loom-bench-'));
  const cache = new WeightCache({ dir: path.join(dir, 'cache') });
  const { figures, lines, note } = figureLog();
  const opts = { device: 'cpu' as const, cache, log: (l: string) => console.log(l) };
  try {
    const unetFile = path.join(dir, 'unet.safetensors');
    const [, genS] = await timed(() => writeModel(unetFile, randomUNet({
      inChannels: 4, modelChannels: 320, channelMult: [1, 2, 4, 4], numResBlocks: 2, attentionLevels: [0, 1, 2], depth: 1, contextDim: 768, linearProjection: false,
    }, 1, true)));
    note('unet_write_s', genS, 'UNet random fp32 weights generated + written (s)');
    const unetWeights = await fileProvider(unetFile);
    const [unet, coldS] = await timed(() => createUNet(unetWeights, opts));
    note('unet_session_cold_s', coldS, 'UNet session, cold weight cache (graph + transpose materialisation + ORT create) (s)');
    await sessionCache.clear();
    const [unet2, warmS] = await timed(() => createUNet(unetWeights, opts));
    note('unet_session_warm_s', warmS, 'UNet session, warm weight cache (s)');
    void unet;
    const ctx = noise([2, 77, 768]);
    const t = Float32Array.of(999, 999);
    await unet2.run(noise([2, 4, 32, 32]), t, ctx);
    const steps32: number[] = [];
    for (let i = 0; i < 2; i++) steps32.push((await timed(() => unet2.run(noise([2, 4, 32, 32]), t, ctx)))[1]);
    note('unet_step_32_s', Math.min(...steps32), 'UNet CFG step (batch 2) at 32x32 latent / 256x256 image, best of 2 after warm-up (s)');
    if (!process.env.LOOM_BENCH_SKIP_64) {
      const [, first64] = await timed(() => unet2.run(noise([2, 4, 64, 64]), t, ctx));
      note('unet_step_64_first_s', first64, 'UNet CFG step at 64x64 latent / 512x512 image, first run (s)');
      const [, second64] = await timed(() => unet2.run(noise([2, 4, 64, 64]), t, ctx));
      note('unet_step_64_s', second64, 'UNet CFG step at 64x64 latent / 512x512 image, second run (s)');
    }
    await sessionCache.clear();

    const clipFile = path.join(dir, 'clip.safetensors');
    await writeModel(clipFile, randomClip({ width: 768, layers: 12, intermediate: 3072, vocab: 49408, positions: 77 }, 2, true));
    const [clip, clipS] = await timed(async () => createTextEncoder(await fileProvider(clipFile), opts));
    note('clip_session_s', clipS, 'CLIP ViT-L text encoder session, cold cache (s)');
    const ids = new Int32Array(2 * 77).fill(49407);
    await clip.encode(ids);
    note('clip_encode_s', (await timed(() => clip.encode(ids)))[1], 'CLIP encode batch 2 (s)');
    await sessionCache.clear();

    if (!process.env.LOOM_BENCH_SKIP_VAE) {
      const vaeFile = path.join(dir, 'vae.safetensors');
      await writeModel(vaeFile, randomVae({ ch: 128, chMult: [1, 2, 4, 4], numResBlocks: 2, zChannels: 4 }, 3, true));
      const [vae, vaeS] = await timed(async () => createVae(await fileProvider(vaeFile), opts));
      note('vae_session_s', vaeS, 'VAE decoder session (s)');
      note('vae_decode_512_s', (await timed(() => vae.decode(noise([1, 4, 64, 64]))))[1], 'VAE decode 64x64 latent → 512x512 image (s)');
      await sessionCache.clear();
    }
    note('peak_rss_gb', process.resourceUsage().maxRSS / 2 ** 20, 'peak RSS (GiB)');
    return { figures, lines };
  } finally {
    await sessionCache.clear();
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, run);
