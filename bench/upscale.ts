/**
 * ImageUpscaleWithModel with a full-size Real-ESRGAN x4plus RRDBNet (23 blocks, 64 features, 32 growth; random
 * weights): a 512x512 image → 2048x2048 through ComfyUI's tiling (tile 512, overlap 32: one tile), time and peak RSS.
 * `UPSCALE_BENCH_SIZE` makes the input smaller for a quick run. `UPSCALE_BENCH_COMFY=1` then measures ComfyUI on the
 * same case (bench/ref/comfy_upscale.py: spandrel's RRDBNet through comfy.utils.tiled_scale, torch on 2 threads; needs
 * /usr/bin/python3 with torch and GOLDEN_REF_ROOT) and prints its figures beside ours; without it none are printed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSafetensors, type TensorEntry } from '../server/runtime/io/safetensors-write';
import { cachedUpscaleModel, upscaleImage } from '../server/runtime/loaders/upscale-model';
import { ModelCache } from '../server/runtime/model-cache';
import { runIfMain, timed } from './lib/measure';

interface ComfyFigures {
  seconds: number;
  peak_rss_gib: number;
  threads: number;
  torch: string;
}

/** ComfyUI's run of the same case, measured now in a child python process. */
function measureComfy(size: number): ComfyFigures {
  const script = fileURLToPath(new URL('./ref/comfy_upscale.py', import.meta.url));
  const out = execFileSync(process.env.UPSCALE_BENCH_PYTHON ?? '/usr/bin/python3', [script, String(size), '2'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, GOLDEN_REF_ROOT: process.env.GOLDEN_REF_ROOT ?? '/work/ref/golden' },
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '') as ComfyFigures;
}

function rrdbEntries(nf = 64, nb = 23, gc = 32): TensorEntry[] {
  const shapes: [string, number[]][] = [['conv_first', [nf, 3, 3, 3]]];
  for (let b = 0; b < nb; b++) {
    for (let r = 1; r <= 3; r++) {
      for (let c = 1; c <= 5; c++) shapes.push([`body.${b}.rdb${r}.conv${c}`, [c === 5 ? nf : gc, nf + (c - 1) * gc, 3, 3]]);
    }
  }
  for (const n of ['conv_body', 'conv_up1', 'conv_up2', 'conv_hr']) shapes.push([n, [nf, nf, 3, 3]]);
  shapes.push(['conv_last', [3, nf, 3, 3]]);
  let seed = 1;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31 - 0.5;
  };
  return shapes.flatMap(([n, s]) => {
    const fanIn = s[1] * 9;
    const w = Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => (rand() * 0.2) / Math.sqrt(fanIn));
    const bias = new Float32Array(s[0]);
    return [
      { name: `${n}.weight`, dtype: 'F32' as const, shape: s, data: async () => new Uint8Array(w.buffer) },
      { name: `${n}.bias`, dtype: 'F32' as const, shape: [s[0]], data: async () => new Uint8Array(bias.buffer) },
    ];
  });
}

export async function run(): Promise<void> {
  const size = Number(process.env.UPSCALE_BENCH_SIZE ?? 512);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'upscale-bench-'));
  try {
    const file = path.join(dir, 'RealESRGAN_x4plus-random.safetensors');
    await writeSafetensors(file, rrdbEntries());
    const models = new ModelCache(4 * 2 ** 30);
    const m = await cachedUpscaleModel(models, file);
    const img = { data: new Float32Array(size * size * 3).map((_, i) => 0.5 + 0.3 * Math.sin(i * 0.001)), shape: [1, size, size, 3] };
    const [out, secs] = await timed(() => upscaleImage(models, m, img));
    const peak = process.resourceUsage().maxRSS / 2 ** 20;
    process.stdout.write(
      `RRDBNet 23nb 64nf x4, ${size}x${size} → ${out.shape[2]}x${out.shape[1]}: ${secs.toFixed(1)} s, peak RSS ${peak.toFixed(2)} GiB\n`,
    );
    if (process.env.UPSCALE_BENCH_COMFY === '1') {
      const ref = measureComfy(size);
      process.stdout.write(
        `ComfyUI (spandrel + tiled_scale, torch ${ref.torch}, ${ref.threads} threads), measured now: ${ref.seconds.toFixed(1)} s, ` +
          `peak RSS ${ref.peak_rss_gib.toFixed(2)} GiB; ours / ComfyUI: ${(secs / ref.seconds).toFixed(2)}x time\n`,
      );
    } else {
      process.stdout.write('ComfyUI: not measured (UPSCALE_BENCH_COMFY=1 runs bench/ref/comfy_upscale.py after this)\n');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, run);
