/**
 * Our engine against onnxruntime running PyTorch's own ONNX export, in one process and interleaved (so the ratio
 * is measured on the same machine state, not quoted): the SD1.5 UNet CFG step (batch 2, 64x64 latent) and, when
 * a torch-exported VAE decoder is there too, the 512x512 VAE decode. Inputs come from
 * ../shared/golden-src/perf_ref.py (`perf_ref.py DIR --export` writes DIR/unet.onnx and DIR/torch_cpu.json);
 * DIR is LOOM_PERF_REF_DIR, default ../shared/golden-src/perf_ref.out. Without them the section says so and skips.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { createUNet, createVae, type F32Tensor } from '../server/runtime/models';
import { sessionCache } from '../server/runtime/onnx/session-cache';
import { memoryProvider } from '../tests/helpers/model-weights';
import { randomUNet, randomVae } from '../tests/helpers/random-models';
import { benchNoise as noise, figureLog, runIfMain } from './lib/measure';
import { SD15_UNET } from './lib/sd15';

const REPS = Number(process.env.LOOM_BENCH_REPS ?? 3);

export async function run(): Promise<void> {
  const dir = path.resolve(process.env.LOOM_PERF_REF_DIR ?? path.join('..', 'shared', 'golden-src', 'perf_ref.out'));
  const unetOnnx = path.join(dir, 'unet.onnx');
  if (!existsSync(unetOnnx)) {
    console.log(
      `compare: skipped, no torch-exported UNet at ${unetOnnx}. Make it with: cd ../shared/golden-src && ` +
        `GOLDEN_REF_ROOT=/work/ref/golden /usr/bin/python3 perf_ref.py ${dir} --export (or set LOOM_PERF_REF_DIR)`,
    );
    return;
  }
  const { note } = figureLog();
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'loom-bench-compare-'));
  const before = process.env.LOOM_CACHE_DIR;
  process.env.LOOM_CACHE_DIR = cacheDir;
  const threads = Number(process.env.THREADS ?? os.availableParallelism());
  try {
    const ours = await createUNet(memoryProvider(randomUNet(SD15_UNET, 1, true), 'cmp-unet'), { device: 'cpu' });
    const theirs = await ort.InferenceSession.create(unetOnnx, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: threads,
      logSeverityLevel: 3,
    });
    const x = noise([2, 4, 64, 64]);
    const c = noise([2, 77, 768]);
    const t = Float32Array.of(999, 999);
    const feeds = {
      x: new ort.Tensor('float32', x.data, x.shape),
      t: new ort.Tensor('float32', t, [2]),
      c: new ort.Tensor('float32', c.data, c.shape),
    };
    const ourStep = () => ours.run(x, t, c);
    const theirStep = () => theirs.run(feeds);
    await ourStep(); // first runs allocate: not timed
    await theirStep();
    const [mine, other] = await interleaved(ourStep, theirStep);
    note('cmp_unet_ours_s', mine, `our UNet CFG step, 64x64 latent, best of ${REPS} (s)`);
    note('cmp_unet_ort_torch_s', other, `onnxruntime on PyTorch's export, same step, best of ${REPS}, interleaved (s)`);
    note('cmp_unet_speed', other / mine, '  our speed relative to it (>1: faster)');
    await theirs.release();
    const torchJson = path.join(dir, 'torch_cpu.json');
    if (existsSync(torchJson)) {
      const torch = (JSON.parse(readFileSync(torchJson, 'utf8')) as Record<string, number>).torch_unet_b2_64x64_s;
      if (torch)
        note('cmp_unet_vs_torch', torch / mine, `  vs PyTorch eager ${torch.toFixed(2)} s (timed by perf_ref.py when it ran, not in this process)`);
    }
    await sessionCache.clear();

    const vaeOnnx = path.join(dir, 'vae_decoder.onnx');
    if (!existsSync(vaeOnnx)) {
      console.log(`compare: VAE decode skipped, no torch-exported decoder at ${vaeOnnx} (perf_ref.py exports the UNet only)`);
      return;
    }
    const vae = await createVae(memoryProvider(randomVae({ ch: 128, chMult: [1, 2, 4, 4], numResBlocks: 2, zChannels: 4 }, 3, true), 'cmp-vae'), {
      device: 'cpu',
    });
    const dec = await ort.InferenceSession.create(vaeOnnx, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: threads,
      logSeverityLevel: 3,
    });
    const z: F32Tensor = noise([1, 4, 64, 64]);
    const zFeed = { [dec.inputNames[0]]: new ort.Tensor('float32', z.data, z.shape) };
    await vae.decode(z);
    await dec.run(zFeed);
    const [vMine, vOther] = await interleaved(
      () => vae.decode(z),
      () => dec.run(zFeed),
    );
    note('cmp_vae_ours_s', vMine, `our VAE decode 512x512, best of ${REPS} (s)`);
    note('cmp_vae_ort_torch_s', vOther, `onnxruntime on PyTorch's export, best of ${REPS}, interleaved (s)`);
    note('cmp_vae_speed', vOther / vMine, '  our speed relative to it (>1: faster)');
    await dec.release();
  } finally {
    await sessionCache.clear();
    if (before === undefined) delete process.env.LOOM_CACHE_DIR;
    else process.env.LOOM_CACHE_DIR = before;
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

/** Best time of each, run turn about so both see the same machine state. */
async function interleaved(a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[number, number]> {
  let [bestA, bestB] = [Infinity, Infinity];
  for (let i = 0; i < REPS; i++) {
    let t0 = performance.now();
    await a();
    bestA = Math.min(bestA, (performance.now() - t0) / 1000);
    t0 = performance.now();
    await b();
    bestB = Math.min(bestB, (performance.now() - t0) / 1000);
  }
  return [bestA, bestB];
}

runIfMain(import.meta.url, run);
