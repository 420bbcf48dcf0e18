/**
 * Peak memory of an SD-size VAE (random weights, fp32, CPU) decoding and encoding one image, with the fused
 * (MultiHeadAttention) and the standard (MatMul/Softmax) mid-block attention; each in its own process. The
 * figures calibrate server/runtime/memory/estimate.ts. Sizes: LOOM_BENCH_VAE_SIZES (default 512,1024,2048; the
 * standard path is skipped above 1024, where its [T, T] scores alone are 17 GB).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSafetensors } from '../server/runtime/io/safetensors-write';
import { randomVae } from '../tests/helpers/random-models';
import { runIfMain } from './lib/measure';

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'loom-bench-vae-'));
  try {
    const file = path.join(dir, 'vae.safetensors');
    const tensors = randomVae({ ch: 128, chMult: [1, 2, 4, 4], numResBlocks: 2, zChannels: 4 }, 3, true);
    await writeSafetensors(
      file,
      [...tensors].map(([name, t]) => ({
        name,
        dtype: 'F32' as const,
        shape: t.shape,
        data: async () => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
      })),
    );
    const sizes = (process.env.LOOM_BENCH_VAE_SIZES ?? '512,1024,2048').split(',').map(Number);
    console.log('SD VAE (83 M params, fp32) on CPU, one image, own process each: seconds, peak RSS');
    for (const op of ['decode', 'encode'] as const) {
      for (const size of sizes) {
        for (const attention of ['fused', 'standard'] as const) {
          if (attention === 'standard' && size > 1024) continue;
          const out = execFileSync(
            process.execPath,
            ['--import', 'tsx', path.join(import.meta.dirname, 'lib', 'vae-peak.ts'), file, String(size), attention, op],
            { encoding: 'utf8' },
          );
          const r = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { seconds: number; peakGiB: number };
          console.log(`  ${op} ${size}x${size} ${attention.padEnd(8)}: ${r.seconds.toFixed(1)} s, peak ${r.peakGiB.toFixed(2)} GiB`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, run);
