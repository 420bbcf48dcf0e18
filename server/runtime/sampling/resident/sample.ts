/**
 * Resident sampling: KSampler's loop with the latents, the noise and the conditioning kept on the UNet's device.
 * Per step the host sends only the timesteps and eight scalars (step-graph.ts's k); the UNet's output feeds the step
 * graph and the step graph's next input feeds the UNet, both as device tensors (WebGPU GPU buffers). The host sees
 * the denoised estimate only when a progress callback wants a preview, and the result at the end.
 */
import ort from 'onnxruntime-node';
import type { F32Tensor, UNetRunner } from '../../models';
import { toHost, type Provider } from '../../onnx/session';
import { startLatent } from '../custom-sample';
import type { ModelSamplingDiscrete } from '../model-sampling';
import type { SamplerName } from '../names';
import { samplerNoise } from '../noise';
import { checkCancelled } from '../samplers/types';
import { denoisedCoefficients, stepCoefficients, type ResidentSamplerOptions } from './schedule';
import { K, K_LENGTH, stepSessions } from './step-graph';

export interface ResidentRequest {
  unet: Pick<UNetRunner, 'provider' | 'runOnDevice'>;
  modelSampling: ModelSamplingDiscrete;
  sampler: SamplerName;
  samplerOptions?: ResidentSamplerOptions;
  sigmas: ArrayLike<number>;
  /** start latent, model space, laid out as `shape` [B, C, H, W] */
  latent: Float32Array;
  /** the initial noise (prepareNoise), same layout */
  noise: Float32Array;
  /** the sampler's own noise seed (ancestral draws) */
  seed: bigint | number;
  shape: readonly number[];
  /** the model call's context [2B, T, ctx] and y [2B, adm]: uncond rows first (plainPairBatch) */
  context: F32Tensor;
  y?: F32Tensor;
  cfg: number;
  callback?: (step: number, total: number, denoised: Float32Array) => void;
  signal?: AbortSignal;
}

/** Runs so far per path (diagnostics: tests and benches check which path a run took). */
export const residentRuns = { count: 0 };

/**
 * Whether the step graphs run on the provider; a provider that cannot make them (an onnxruntime build without
 * GPU-buffer outputs) sends the run to the host loop with one log line instead of failing it.
 */
export async function residentReady(provider: Provider, log: (line: string) => void = console.log): Promise<boolean> {
  try {
    await stepSessions(provider);
    return true;
  } catch (e) {
    log(`[loom] resident sampling unavailable on ${provider}, sampling on the host: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    return false;
  }
}

const tensor = (t: F32Tensor) => new ort.Tensor('float32', t.data, t.shape);
/** Lets go of a tensor's device buffer (our own tensors only: a host one merely drops its reference). */
const drop = (t: ort.Tensor | undefined) => t?.dispose();

/** Samples like kSample on one plain [uncond; cond] pair; returns the latent (model space) and the last denoised. */
export async function sampleResident(r: ResidentRequest): Promise<{ samples: Float32Array; denoised: Float32Array }> {
  const ms = r.modelSampling;
  const sigmas = r.sigmas;
  const total = sigmas.length - 1;
  const shape = [...r.shape];
  const n = shape.reduce((a, b) => a * b, 1);
  if (total < 1) return { samples: Float32Array.from(r.latent), denoised: Float32Array.from(r.latent) };
  const steps = stepCoefficients(r.sampler, sigmas, r.samplerOptions);
  residentRuns.count++;
  // the sampler's noise, drawn up front in the order the JS sampler draws it (same stream as ComfyUI), sent once
  const draws = steps.filter((s) => s.drawsNoise).length;
  const stack = new Float32Array(Math.max(1, draws) * n);
  if (draws > 0) {
    const source = samplerNoise(false, r.seed, shape, sigmas);
    let d = 0;
    steps.forEach((s, i) => {
      if (s.drawsNoise) stack.set(source(sigmas[i], sigmas[i + 1]), d++ * n);
    });
  }
  const ops = await stepSessions(r.unet.provider);
  const context = await ops.upload(tensor(r.context));
  const y = r.y ? await ops.upload(tensor(r.y)) : undefined;
  const noise = await ops.upload(new ort.Tensor('float32', stack, [Math.max(1, draws), ...shape]));
  let x = await ops.upload(new ort.Tensor('float32', startLatent(ms, sigmas, r.noise, r.latent), shape));
  let prev = await ops.upload(new ort.Tensor('float32', new Float32Array(n), shape));
  let xIn = (await ops.start.runOnDevice({ x, c_in: new ort.Tensor('float32', Float32Array.of(ms.cIn(sigmas[0])), [1]) }, ['x_in'])).x_in;
  let lastDenoised: Float32Array | undefined;
  let drawn = 0;
  try {
    for (let i = 0; i < total; i++) {
      checkCancelled(r.signal);
      const sigma = sigmas[i];
      const timesteps = new ort.Tensor('float32', new Float32Array(2 * shape[0]).fill(ms.timestep(sigma)), [2 * shape[0]]);
      const out = await r.unet.runOnDevice({ x: xIn, timesteps, context, ...(y ? { y } : {}) });
      const { a, b } = denoisedCoefficients(ms, sigma);
      const s = steps[i];
      const k = new Float32Array(K_LENGTH);
      k[K.a] = a;
      k[K.b] = b;
      k[K.cfg] = r.cfg;
      k[K.alpha] = s.alpha;
      k[K.beta] = s.beta;
      k[K.delta] = s.delta;
      k[K.gamma] = s.gamma;
      k[K.cInNext] = i + 1 < total ? ms.cIn(sigmas[i + 1]) : 0;
      const res = await ops.step.runOnDevice(
        {
          x,
          out,
          prev,
          noise,
          noise_index: new ort.Tensor('int64', BigInt64Array.of(BigInt(s.drawsNoise ? drawn++ : 0)), []),
          k: new ort.Tensor('float32', k, [K_LENGTH]),
        },
        ['x_next', 'denoised', 'x_in_next'],
      );
      for (const t of [out, x, prev, xIn]) drop(t);
      x = res.x_next;
      prev = res.denoised;
      xIn = res.x_in_next;
      if (r.callback || i === total - 1) {
        // the download turns `prev` into a host tensor (its GPU buffer released); the next step uploads it again
        lastDenoised = Float32Array.from((await toHost(prev)).data as Float32Array);
        r.callback?.(i + 1, total, lastDenoised);
      }
    }
    const samples = Float32Array.from((await toHost(x)).data as Float32Array);
    return { samples: ms.inverseNoiseScaling(sigmas[total], samples), denoised: lastDenoised ?? samples };
  } finally {
    for (const t of [x, prev, xIn, noise, context, y]) drop(t);
  }
}
