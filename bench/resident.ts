/**
 * Resident sampling (latents, noise and conditioning on the UNet's device, per-step arithmetic as ONNX graphs)
 * against the host loop (every step's latents to and from the device, arithmetic in JS), same provider, same run.
 * 1. The loop's own cost per step, without a network: a stand-in UNet graph (out = 0.5·x) on the provider, 20 steps
 *    of euler and dpmpp_2m with CFG at 64x64 and 128x128 latents (SD1.5 512x512, SDXL 1024x1024).
 * 2. With LOOM_BENCH_UNET=1 (default on GPU providers): the SD1.5-sized random UNet, a 512x512 CFG txt2img of
 *    LOOM_BENCH_STEPS steps (default 20 on a GPU, 2 on CPU) both ways: per step, end to end, and how far apart.
 * Run: `npx tsx bench/resident.ts`. Env: LOOM_BENCH_DEVICE=cpu|webgpu|cuda (default cpu).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { stateDictProvider } from '../server/runtime/checkpoint/provider';
import { openSafetensors } from '../server/runtime/io/safetensors';
import { createUNet, precisionFor, type UNetDeviceFeeds } from '../server/runtime/models';
import { Graph } from '../server/runtime/onnx/builder';
import { createSession, deviceFromEnv, type Provider } from '../server/runtime/onnx/session';
import { sessionCache } from '../server/runtime/onnx/session-cache';
import { WeightCache } from '../server/runtime/onnx/weights-cache';
import { kSample, ksamplerSigmas, type SamplerName } from '../server/runtime/sampling';
import { ModelSamplingDiscrete } from '../server/runtime/sampling/model-sampling';
import { TorchGenerator } from '../server/runtime/sampling/rng';
import { sampleResident } from '../server/runtime/sampling/resident/sample';
import { randomUNet } from '../tests/helpers/random-models';
import { benchNoise, figureLog, runIfMain, timed } from './lib/measure';
import { SD15_UNET } from './lib/sd15';
import { writeTensors } from './lib/write-tensors';

interface Net {
  provider: Provider;
  /** host path: x·c_in rows in, eps rows out */
  host(x: Float32Array, shape: readonly number[], t: number): Promise<Float32Array>;
  runOnDevice(f: UNetDeviceFeeds): Promise<ort.Tensor>;
}

async function both(net: Net, sampler: SamplerName, shape: number[], steps: number, context: { data: Float32Array; shape: number[] }) {
  const ms = new ModelSamplingDiscrete('eps');
  const n = shape.reduce((a, b) => a * b, 1);
  const latent = new Float32Array(n);
  const noise = new TorchGenerator(1).randn(shape);
  const sigmas = ksamplerSigmas(ms, sampler, 'karras', steps);
  const [host, hostS] = await timed(() =>
    kSample({
      modelSampling: ms,
      cfg: 7,
      latent,
      noise,
      shape,
      seed: 1,
      sampler,
      scheduler: 'karras',
      steps,
      model: (x, s, t) => net.host(x, s, t),
      cond: 0,
      uncond: 0,
    }),
  );
  const [dev, devS] = await timed(() =>
    sampleResident({ unet: net, modelSampling: ms, sampler, sigmas, latent, noise, seed: 1, shape, context, cfg: 7 }),
  );
  let d = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    d = Math.max(d, Math.abs(dev.samples[i] - host[i]));
    m = Math.max(m, Math.abs(host[i]));
  }
  return { hostS, devS, rel: d / m };
}

async function standIn(device: Provider): Promise<Net> {
  const g = new Graph('stand_in_unet');
  g.output(g.op('Mul', [g.input('x', 'float32', ['B', 'C', 'H', 'W']), g.scalar(0.5)]), 'out', 'float32', ['B', 'C', 'H', 'W']);
  const s = await createSession(g.toModelProto(new Map()), '.', { label: 'stand-in', device, outputsOnDevice: true, log: () => {} });
  return {
    provider: device,
    host: async (x, shape) => (await s.run({ x: new ort.Tensor('float32', x, [...shape]) }, ['out'])).out.data as Float32Array,
    runOnDevice: async (f) => (await s.runOnDevice({ x: f.x }, ['out'])).out,
  };
}

export async function run() {
  const { figures, lines, note } = figureLog();
  const env = deviceFromEnv(process.env.LOOM_BENCH_DEVICE ?? 'cpu');
  if (env === 'auto') throw new Error('LOOM_BENCH_DEVICE: name the provider to measure (cpu, webgpu or cuda)');
  const device: Provider = env;
  const head = `resident sampling vs host loop, provider ${device}`;
  lines.push(head);
  console.log(head);
  const net = await standIn(device);
  for (const side of [64, 128]) {
    const shape = [1, 4, side, side];
    for (const sampler of ['euler', 'dpmpp_2m'] as const) {
      const ctx = { data: new Float32Array(2 * 77 * 8), shape: [2, 77, 8] };
      const r = await both(net, sampler, shape, 20, ctx);
      note(`loop_host_ms_${sampler}_${side}`, (r.hostS / 20) * 1000, `${sampler} ${side}x${side} loop without a network, host (ms/step)`);
      note(`loop_resident_ms_${sampler}_${side}`, (r.devS / 20) * 1000, `${sampler} ${side}x${side} loop without a network, resident (ms/step)`);
    }
  }
  if ((process.env.LOOM_BENCH_UNET ?? (device === 'cpu' ? '0' : '1')) === '1') {
    const dir = mkdtempSync(path.join(tmpdir(), 'loom-resident-'));
    try {
      const file = path.join(dir, 'unet.safetensors');
      const half = precisionFor(device, 'unet', undefined, 0.86e9) === 'float16';
      await writeTensors(file, randomUNet(SD15_UNET, 1, true), half);
      const weights = stateDictProvider((await openSafetensors(file)).tensors, file);
      const unet = await createUNet(weights, { device, cache: new WeightCache({ dir: path.join(dir, 'cache') }) });
      const ctx = benchNoise([2, 77, 768]);
      const sd: Net = {
        provider: unet.provider,
        host: async (x, shape, t) => {
          const rows = shape[0];
          const context = { data: ctx.data.subarray(0, rows * 77 * 768), shape: [rows, 77, 768] };
          return (await unet.run({ data: x, shape: [...shape] }, new Float32Array(rows).fill(t), context)).data;
        },
        runOnDevice: (f) => unet.runOnDevice(f),
      };
      const steps = Number(process.env.LOOM_BENCH_STEPS ?? (device === 'cpu' ? 2 : 20));
      // one warm-up step each way (kernel compilation, first uploads)
      await both(sd, 'euler', [1, 4, 64, 64], 1, ctx);
      const r = await both(sd, 'euler', [1, 4, 64, 64], steps, ctx);
      note('sd15_512_host_s_per_step', r.hostS / steps, `SD1.5-sized UNet, 512x512 euler CFG, host loop (s/step, ${steps} steps)`);
      note('sd15_512_resident_s_per_step', r.devS / steps, `SD1.5-sized UNet, 512x512 euler CFG, resident (s/step, ${steps} steps)`);
      note('sd15_512_resident_rel_diff', r.rel, 'resident vs host result, max |Δ| / max |x|');
    } finally {
      await sessionCache.clear();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { figures, lines };
}

runIfMain(import.meta.url, run);
