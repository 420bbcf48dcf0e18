/**
 * Sampling overhead without a network: torch-compatible noise generation and the per-step cost of
 * each sampler's elementwise math on an SD1.5 512x512 latent (1x4x64x64) and an SDXL 1024x1024
 * latent (1x4x128x128), with an identity-cost denoiser. What the UNet adds is in bench/models.ts.
 * Run: `npx tsx bench/sampling.ts`.
 */
import { performance } from 'node:perf_hooks';
import { runIfMain } from './lib/measure';
import { ModelSamplingDiscrete } from '../server/runtime/sampling/model-sampling';
import { brownianNoise, seededNoise } from '../server/runtime/sampling/noise';
import { TorchGenerator } from '../server/runtime/sampling/rng';
import { SAMPLER_NAMES, SDE_SAMPLERS, sample } from '../server/runtime/sampling/samplers';
import { calculateSigmas } from '../server/runtime/sampling/schedules';

export interface SamplingBenchResult {
  figures: Record<string, number>;
  lines: string[];
}

export async function benchSampling(): Promise<SamplingBenchResult> {
  const figures: Record<string, number> = {};
  const lines: string[] = [];
  for (const shape of [
    [1, 4, 64, 64],
    [1, 4, 128, 128],
  ]) {
    const tag = `${shape[2]}x${shape[3]}`;
    const gen = new TorchGenerator(42);
    let t0 = performance.now();
    for (let i = 0; i < 10; i++) gen.randn(shape);
    figures[`randn_ms_${tag}`] = (performance.now() - t0) / 10;
    lines.push(`randn ${tag}: ${figures[`randn_ms_${tag}`].toFixed(2)} ms`);

    const ms = new ModelSamplingDiscrete('eps');
    const steps = 20;
    const sigmas = calculateSigmas(ms, 'karras', steps);
    const x0 = gen.randn(shape).map((v) => v * sigmas[0]);
    const denoiser = async (x: Float32Array, s: number) => Float32Array.from(x, (v) => v / (1 + s * s));
    for (const name of SAMPLER_NAMES) {
      let nfe = 0;
      const noise = SDE_SAMPLERS.has(name) ? brownianNoise(1, shape, sigmas[steps - 1], sigmas[0]) : seededNoise(1, shape);
      t0 = performance.now();
      await sample(
        name,
        async (x, s) => {
          nfe++;
          return denoiser(x, s);
        },
        x0,
        sigmas,
        { shape, noise },
      );
      const perStep = (performance.now() - t0) / steps;
      figures[`${name}_ms_per_step_${tag}`] = perStep;
      lines.push(`${name.padEnd(20)} ${tag}: ${perStep.toFixed(2)} ms/step (${nfe} denoiser calls)`);
    }
  }
  return { figures, lines };
}

/** The section for bench/run.ts: prints the lines and returns the figures. */
export async function run(): Promise<SamplingBenchResult> {
  const r = await benchSampling();
  for (const l of r.lines) console.log(l);
  return r;
}

runIfMain(import.meta.url, run);
