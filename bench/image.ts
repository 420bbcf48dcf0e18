/**
 * Image and latent operations on the CPU (server/runtime/image): resampling a 4096x4096 RGB image down to 2048 and a
 * 2048x2048 image up to 4096 with every ImageScale method, hires-fix latent upscales (64x64 → 128x128, the 512 → 1024
 * pass) with every LatentUpscale method, and the filters at 1024x1024 (Canny, blur, sharpen, quantize).
 * Run: `npx tsx bench/image.ts`.
 */
import { performance } from 'node:perf_hooks';
import { figureLog, runIfMain, type Figures } from './lib/measure';
import { canny } from '../server/runtime/image/canny';
import { commonUpscale, type UpscaleMethod } from '../server/runtime/image/common-upscale';
import { filterReflect, gaussianKernel } from '../server/runtime/image/filters';
import { quantizeImage } from '../server/runtime/image/quantize';
import type { FloatTensor } from '../server/runtime/values';

/** A deterministic image with structure and noise (values in 0..1). */
function testImage(n: number, h: number, w: number, c: number): FloatTensor {
  const data = new Float32Array(n * h * w * c);
  for (let i = 0; i < data.length; i++) data[i] = 0.5 + 0.35 * Math.sin(i * 0.0123) * Math.cos(i * 0.00071) + 0.1 * Math.sin(i * 12.9898);
  return { shape: [n, h, w, c], data };
}

/** Best of `runs` wall times in seconds (the 2 cores are shared; the best run is the machine's cost). */
function best(runs: number, f: () => unknown): number {
  let t = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    t = Math.min(t, (performance.now() - t0) / 1000);
  }
  return t;
}

export async function run(): Promise<Figures> {
  const log = figureLog();
  const big = testImage(1, 4096, 4096, 3);
  const mid = testImage(1, 2048, 2048, 3);
  for (const m of ['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos'] as UpscaleMethod[]) {
    log.note(
      `scale_down_4096_${m}_s`,
      best(2, () => commonUpscale(big, 'nhwc', 2048, 2048, m, 'disabled')),
      `ImageScale 4096² → 2048² RGB, ${m} (s)`,
    );
    log.note(
      `scale_up_2048_${m}_s`,
      best(2, () => commonUpscale(mid, 'nhwc', 4096, 4096, m, 'disabled')),
      `ImageScale 2048² → 4096² RGB, ${m} (s)`,
    );
  }
  const lat: FloatTensor = { shape: [1, 4, 64, 64], data: testImage(1, 64, 64, 4).data.map((v) => (v - 0.5) * 20) };
  for (const m of ['nearest-exact', 'bilinear', 'area', 'bicubic', 'bislerp'] as UpscaleMethod[]) {
    log.note(
      `latent_up_64_${m}_ms`,
      1000 * best(5, () => commonUpscale(lat, 'nchw', 128, 128, m, 'disabled')),
      `LatentUpscale 1x4x64x64 → 128x128, ${m} (ms)`,
    );
  }
  const k1 = testImage(1, 1024, 1024, 3);
  log.note(
    'canny_1024_s',
    best(2, () => canny(k1, 0.1, 0.3)),
    'Canny 1024² (s)',
  );
  log.note(
    'blur_1024_r5_s',
    best(2, () => filterReflect(k1, gaussianKernel(11, 1), 11)),
    'ImageBlur 1024², radius 5 (s)',
  );
  log.note(
    'quantize_1024_none_s',
    best(2, () => quantizeImage(k1, 256, 'none')),
    'ImageQuantize 1024², 256 colours, no dither (s)',
  );
  log.note(
    'quantize_1024_fs_s',
    best(2, () => quantizeImage(k1, 16, 'floyd-steinberg')),
    'ImageQuantize 1024², 16 colours, Floyd–Steinberg (s)',
  );
  return log;
}

runIfMain(import.meta.url, run);
