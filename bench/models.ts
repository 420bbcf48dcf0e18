/**
 * SD1.5-sized random-weight models: session build time, UNet step time at 32x32 and 64x64 latents
 * (batch 2 = one CFG step), CLIP ViT-L text encoder, VAE decode at 512x512, peak RSS.
 * Weights are written as .safetensors in the UNet's compute type (fp32 on CPU, fp16 on GPU providers, like the
 * fp16 files users download) into a temp dir (deleted afterwards), so conv/bias/norm initializers point into
 * that file and only pre-transposed MatMul weights are materialised.
 * Run: `npx tsx bench/models.ts`. Env: LOOM_BENCH_DEVICE=cpu|webgpu|cuda (default cpu), LOOM_PRECISION /
 * LOOM_VAE_PRECISION (see models/index.ts), LOOM_BENCH_REPS (timed runs per shape, default 2),
 * LOOM_BENCH_SKIP_64=1 skips the 64x64 step, LOOM_BENCH_SKIP_VAE=1 the VAE, LOOM_BENCH_FILES=f16|f32 the file dtype.
 * On a GPU provider the bench also runs the same files on the CPU provider in fp32 and prints how far the GPU outputs
 * are from those (LOOM_BENCH_CHECK=0 skips this): what the fp16 graphs compute on real hardware, not only timings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTextEncoder, createUNet, createVae, precisionFor, type F32Tensor } from '../server/runtime/models';
import ort from 'onnxruntime-node';
import { Graph } from '../server/runtime/onnx/builder';
import { createSession, deviceFromEnv, type Provider } from '../server/runtime/onnx/session';
import { backgroundSaves } from '../server/runtime/onnx/optimized-models';
import { sessionCache } from '../server/runtime/onnx/session-cache';
import { WeightCache } from '../server/runtime/onnx/weights-cache';
import { openSafetensors } from '../server/runtime/io/safetensors';
import { stateDictProvider } from '../server/runtime/checkpoint/provider';
import type { WeightProvider } from '../server/runtime/checkpoint/weights';
import { randomClip, randomUNet, randomVae } from '../tests/helpers/random-models';
import { benchNoise as noise, figureLog, rssSplit, runIfMain, timed } from './lib/measure';
import { SD15_UNET } from './lib/sd15';
import { writeTensors } from './lib/write-tensors';

/** parameter counts of the benched models, for the provider's default precision */
const SD15_PARAMS = { unet: 0.86e9, clip: 0.12e9, vae: 0.08e9 } as const;

export interface ModelBenchResult {
  figures: Record<string, number>;
  lines: string[];
}

/**
 * What the provider's GEMM kernels reach, so step times can be read as a fraction of the machine's ceiling. On a
 * GPU provider it also probes the adapter in a second (before minutes of weight generation), and its figure
 * includes the upload of the inputs and the read-back of the product.
 */
async function matmulRate(device: Provider): Promise<number> {
  const n = 2048;
  const g = new Graph('matmul');
  g.output(g.op('MatMul', [g.input('a', 'float32', [n, n]), g.input('b', 'float32', [n, n])]), 'y', 'float32', [n, n]);
  const s = await createSession(g.toModelProto(new Map()), '.', { label: 'matmul', device, log: () => {} });
  const a = new ort.Tensor(
    'float32',
    Float32Array.from({ length: n * n }, (_, i) => Math.sin(i)),
    [n, n],
  );
  let best = Infinity;
  for (let i = 0; i < 5; i++) best = Math.min(best, (await timed(() => s.run({ a, b: a })))[1]);
  await s.release();
  return (2 * n ** 3) / best / 1e9;
}

/** ‖a−b‖/‖b‖, max |a−b| and non-finite count of a GPU output against the CPU fp32 one. */
function deviation(a: Float32Array, b: Float32Array): string {
  let d2 = 0,
    b2 = 0,
    max = 0,
    bad = 0;
  for (let i = 0; i < b.length; i++) {
    const d = a[i]! - b[i]!;
    if (!Number.isFinite(a[i]!)) {
      bad++;
      continue;
    }
    d2 += d * d;
    b2 += b[i]! * b[i]!;
    max = Math.max(max, Math.abs(d));
  }
  return `rel ${Math.sqrt(d2 / b2).toExponential(2)}, max abs ${max.toExponential(2)}, non-finite ${bad}`;
}

async function fileProvider(file: string): Promise<WeightProvider> {
  return stateDictProvider((await openSafetensors(file)).tensors, file);
}

export async function run(): Promise<ModelBenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'loom-bench-'));
  const cache = new WeightCache({ dir: path.join(dir, 'cache') });
  const { figures, lines, note } = figureLog();
  const env = deviceFromEnv(process.env.LOOM_BENCH_DEVICE ?? 'cpu');
  if (env === 'auto') throw new Error('LOOM_BENCH_DEVICE: name the provider to measure (cpu, webgpu or cuda)');
  const device: Provider = env;
  const logs: string[] = [];
  const opts = {
    device,
    cache,
    log: (l: string) => {
      logs.push(l);
      console.log(l);
    },
  };
  const reps = Number(process.env.LOOM_BENCH_REPS ?? 2);
  // LOOM_BENCH_FILES=f16 writes fp16 files (as most downloads are) whatever the compute type: on CPU the first
  // build then converts every tensor into the weight cache
  const files = process.env.LOOM_BENCH_FILES;
  const half = (kind: 'unet' | 'clip' | 'vae') => (files ? files === 'f16' : precisionFor(device, kind, undefined, SD15_PARAMS[kind]) === 'float16');
  const best = async (f: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < reps; i++) times.push((await timed(f))[1]);
    return Math.min(...times);
  };
  const head = `provider ${device}; UNet ${precisionFor(device, 'unet', undefined, SD15_PARAMS.unet)}, CLIP ${precisionFor(device, 'clip', undefined, SD15_PARAMS.clip)}, VAE ${precisionFor(device, 'vae')}`;
  lines.push(head);
  console.log(head);
  // GPU outputs and how to compute the same on the CPU in fp32, compared after the timings
  const cpu = { ...opts, device: 'cpu' as const, precision: 'float32' as const, log: () => {} };
  const checks: { what: string; got: Float32Array; ref: () => Promise<F32Tensor> }[] = [];
  try {
    note(
      'matmul_gflops',
      await matmulRate(device),
      device === 'cpu'
        ? 'ORT CPU MatMul 2048x2048 fp32, best of 5 (GFLOP/s): the compute ceiling the step times are read against'
        : `ORT ${device} MatMul 2048x2048 fp32 incl. upload and read-back, best of 5 (GFLOP/s)`,
    );
    const unetFile = path.join(dir, 'unet.safetensors');
    const [, genS] = await timed(() => writeTensors(unetFile, randomUNet(SD15_UNET, 1, true), half('unet')));
    note('unet_write_s', genS, `UNet random ${half('unet') ? 'fp16' : 'fp32'} weights generated + written (s)`);
    const unetWeights = await fileProvider(unetFile);
    const [, coldS] = await timed(() => createUNet(unetWeights, opts));
    note('unet_session_cold_s', coldS, 'UNet session, cold weight cache (graph + transpose materialisation + ORT create) (s)');
    // the CPU provider saves its optimised model on the second build and reloads it from the third on
    for (const [key, what] of [
      ['unet_session_warm_s', 'warm weight cache'],
      ['unet_session_reload_s', 'warm cache, third build'],
    ] as const) {
      await sessionCache.clear();
      const [, s] = await timed(() => createUNet(unetWeights, opts));
      const origin = logs.at(-1)?.match(/(reloaded) onnxruntime's optimised model/)?.[1] ?? 'built';
      // the second build saves in the background; timed apart so the user-facing build time stays clean
      const [, saveS] = await timed(() => backgroundSaves());
      if (saveS > 0.05) note(`${key}_bg_save_s`, saveS, "  then its background save of the optimised model (s, off the user's time)");
      logs.length = 0;
      note(key, s, `UNet session, ${what} (${origin}) (s)`);
    }
    const rss = (key: string, when: string) => {
      note(`${key}_rss_gb`, process.memoryUsage().rss / 2 ** 30, `RSS ${when} (GiB)`);
      const split = rssSplit();
      if (split) note(`${key}_rss_anon_gb`, split.anon, `  of which anonymous (GiB; the rest is mapped weight files)`);
    };
    rss('unet_session_reload', 'after the reloaded UNet session (earlier sessions released)');
    const unet2 = await createUNet(unetWeights, opts);
    const ctx = noise([2, 77, 768]);
    const t = Float32Array.of(999, 999);
    const x32 = noise([2, 4, 32, 32]);
    // the first run includes GPU kernel compilation and uploads
    const [unet32, first32] = await timed(() => unet2.run(x32, t, ctx));
    note('unet_step_32_first_s', first32, 'UNet CFG step at 32x32, first run (s)');
    checks.push({ what: 'UNet 32x32 output', got: unet32.data, ref: async () => (await createUNet(unetWeights, cpu)).run(x32, t, ctx) });
    note(
      'unet_step_32_s',
      await best(() => unet2.run(x32, t, ctx)),
      `UNet CFG step (batch 2) at 32x32 latent / 256x256 image, best of ${reps} after warm-up (s)`,
    );
    if (!process.env.LOOM_BENCH_SKIP_64) {
      const x64 = noise([2, 4, 64, 64]);
      const [, first64] = await timed(() => unet2.run(x64, t, ctx));
      note('unet_step_64_first_s', first64, 'UNet CFG step at 64x64 latent / 512x512 image, first run (s)');
      note(
        'unet_step_64_s',
        await best(() => unet2.run(x64, t, ctx)),
        `UNet CFG step at 64x64 latent / 512x512 image, best of ${reps} after the first (s)`,
      );
    }
    rss('unet_steps', 'after the UNet steps');
    await sessionCache.clear();

    const clipFile = path.join(dir, 'clip.safetensors');
    await writeTensors(clipFile, randomClip({ width: 768, layers: 12, intermediate: 3072, vocab: 49408, positions: 77 }, 2, true), half('clip'));
    const [clip, clipS] = await timed(async () => createTextEncoder(await fileProvider(clipFile), opts));
    note('clip_session_s', clipS, 'CLIP ViT-L text encoder session, cold cache (s)');
    const ids = Int32Array.from({ length: 2 * 77 }, (_, i) => (i % 77 === 0 ? 49406 : (i * 7919) % 49406));
    const clipOut = await clip.encode(ids);
    checks.push({
      what: 'CLIP last hidden state',
      got: clipOut.hidden.data,
      ref: async () => (await (await createTextEncoder(await fileProvider(clipFile), cpu)).encode(ids)).hidden,
    });
    note('clip_encode_s', await best(() => clip.encode(ids)), 'CLIP encode batch 2 (s)');
    await sessionCache.clear();

    if (!process.env.LOOM_BENCH_SKIP_VAE) {
      const vaeFile = path.join(dir, 'vae.safetensors');
      await writeTensors(vaeFile, randomVae({ ch: 128, chMult: [1, 2, 4, 4], numResBlocks: 2, zChannels: 4 }, 3, true), half('vae'));
      const [vae, vaeS] = await timed(async () => createVae(await fileProvider(vaeFile), opts));
      note('vae_session_s', vaeS, 'VAE decoder session (s)');
      const z = noise([1, 4, 64, 64]);
      const [vaeOut, vaeFirst] = await timed(() => vae.decode(z));
      checks.push({ what: 'VAE 512x512 decode', got: vaeOut.data, ref: async () => (await createVae(await fileProvider(vaeFile), cpu)).decode(z) });
      note('vae_decode_512_first_s', vaeFirst, 'VAE decode 64x64 latent → 512x512 image, first run (s)');
      if (reps > 1) note('vae_decode_512_s', await best(() => vae.decode(z)), `VAE decode at 512x512, best of ${reps} after the first (s)`);
      await sessionCache.clear();
    }
    note('peak_rss_gb', process.resourceUsage().maxRSS / 2 ** 20, 'peak RSS (GiB)');
    if (process.env.LOOM_BENCH_CHECK === '1' || (device !== 'cpu' && process.env.LOOM_BENCH_CHECK !== '0')) {
      for (const { what, got, ref } of checks) {
        const line = `${what} on ${device} against the CPU provider in fp32: ${deviation(got, (await ref()).data)}`;
        lines.push(line);
        console.log(line);
        await sessionCache.clear();
      }
    }
    return { figures, lines };
  } finally {
    await sessionCache.clear();
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, run);
