/**
 * One full-size ControlNet on the SD1.5-sized random UNet: a CFG step (batch 2) at 64x64 latent / 512x512 image with
 * the ControlNet (its own run on the same batch + the UNet's control graph) against the plain step, and peak RSS.
 * fp32 files written by a child process into a temp dir (deleted afterwards), so peak RSS is the runtime's alone; the
 * plain and ControlNet steps alternate, so a busy machine slows both alike. Run: `npx tsx bench/controlnet.ts`.
 * Env: LOOM_BENCH_DEVICE=cpu|webgpu|cuda (default cpu), LOOM_BENCH_REPS (timed rounds after a warm-up, default 3),
 * LOOM_BENCH_SIZE (latent side, default 64).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSafetensors } from '../server/runtime/io/safetensors-write';
import { createControlNet, createUNet } from '../server/runtime/models';
import { deviceFromEnv, type Provider } from '../server/runtime/onnx/session';
import { sessionCache } from '../server/runtime/onnx/session-cache';
import { WeightCache } from '../server/runtime/onnx/weights-cache';
import { openSafetensors } from '../server/runtime/io/safetensors';
import { stateDictProvider } from '../server/runtime/checkpoint/provider';
import { randomUNet, type Tensors } from '../tests/helpers/random-models';
import { randomControlNet } from '../tests/helpers/controlnet-files';
import { benchNoise as noise, figureLog, rssSplit, runIfMain, timed } from './lib/measure';
import { SD15_UNET } from './lib/sd15';

const SD15 = SD15_UNET;

async function write(file: string, tensors: Tensors): Promise<void> {
  await writeSafetensors(
    file,
    [...tensors].map(([name, t]) => ({
      name,
      dtype: 'F32' as const,
      shape: t.shape,
      data: async () => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
    })),
  );
  tensors.clear();
}

const provider = async (file: string) => stateDictProvider((await openSafetensors(file)).tensors, file);

export async function run() {
  const dir = mkdtempSync(path.join(tmpdir(), 'loom-bench-cn-'));
  const env = deviceFromEnv(process.env.LOOM_BENCH_DEVICE ?? 'cpu');
  if (env === 'auto') throw new Error('LOOM_BENCH_DEVICE: name the provider to measure (cpu, webgpu or cuda)');
  const device: Provider = env;
  const opts = { device, cache: new WeightCache({ dir: path.join(dir, 'cache') }), log: (l: string) => console.log(l) };
  const reps = Number(process.env.LOOM_BENCH_REPS ?? 3);
  const side = Number(process.env.LOOM_BENCH_SIZE ?? 64);
  const { figures, lines, note } = figureLog();
  const gib = () => process.resourceUsage().maxRSS / 2 ** 20;
  try {
    execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--write', dir], { stdio: 'inherit' });
    const x = noise([2, 4, side, side]);
    const t = Float32Array.of(500, 500);
    const ctx = noise([2, 77, 768]);
    const hint = noise([1, 3, side * 8, side * 8]);
    const unet = await createUNet(await provider(path.join(dir, 'unet.safetensors')), opts);
    const plain = () => unet.run(x, t, ctx);
    await plain(); // warm-up: first-run allocations (and GPU kernel compilation)
    note('plain_peak_rss_gb', gib(), 'peak RSS with the plain UNet session after one step (GiB)');
    const cn = await createControlNet(await provider(path.join(dir, 'controlnet.safetensors')), opts);
    const step = async () => {
      const r = await cn.run(x, t, ctx, hint);
      return unet.run(x, t, ctx, undefined, { control: r });
    };
    await step();
    await plain(); // the first control step let the plain session go (as a sampling run does): build it again
    const times = { plain: [] as number[], control: [] as number[], cn: [] as number[] };
    for (let i = 0; i < reps; i++) {
      times.plain.push((await timed(plain))[1]);
      times.control.push((await timed(step))[1]);
      times.cn.push((await timed(() => cn.run(x, t, ctx, hint)))[1]);
    }
    note('plain_step_s', Math.min(...times.plain), `UNet CFG step (batch 2) at ${side}x${side} latent, no ControlNet, best of ${reps} (s)`);
    note('control_step_s', Math.min(...times.control), `CFG step with one ControlNet (ControlNet + UNet control graph), best of ${reps} (s)`);
    note('controlnet_only_s', Math.min(...times.cn), `ControlNet alone on the same batch, best of ${reps} (s)`);
    note('control_ratio', figures.control_step_s / figures.plain_step_s, 'with / without ControlNet');
    note('bench_peak_rss_gb', gib(), 'peak RSS of this process, plain and control UNet sessions both held (GiB)');
    // a sampling run with ControlNets holds only the control graph: measured alone in a fresh process
    const child = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--control-peak', dir, String(side)], {
      encoding: 'utf8',
    });
    for (const l of child.split('\n').filter((l) => l.startsWith('  '))) {
      lines.push(l.trim());
      console.log(l);
    }
    note(
      'control_run_peak_rss_gb',
      Number(/peak (\S+)/.exec(child)?.[1]),
      'peak RSS of a run with one ControlNet: control UNet graph + ControlNet, one step, fresh process (GiB)',
    );
    return { figures, lines };
  } finally {
    await sessionCache.clear();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--write' && process.argv[3]) {
  const dir = process.argv[3];
  await write(path.join(dir, 'unet.safetensors'), randomUNet(SD15, 1, true));
  await write(path.join(dir, 'controlnet.safetensors'), randomControlNet(SD15, 5, true));
} else if (process.argv[2] === '--control-peak' && process.argv[3]) {
  const dir = process.argv[3];
  const side = Number(process.argv[4]);
  const device = deviceFromEnv(process.env.LOOM_BENCH_DEVICE ?? 'cpu');
  const opts = { device: device === 'auto' ? ('cpu' as const) : device, cache: new WeightCache({ dir: path.join(dir, 'cache') }) };
  const unet = await createUNet(await provider(path.join(dir, 'unet.safetensors')), opts);
  const cn = await createControlNet(await provider(path.join(dir, 'controlnet.safetensors')), opts);
  const [x, t, ctx] = [noise([2, 4, side, side]), Float32Array.of(500, 500), noise([2, 77, 768])];
  const stage = (what: string) => {
    const split = rssSplit();
    console.log(
      `  ${what}: RSS ${(process.memoryUsage().rss / 2 ** 30).toFixed(2)} GiB${split ? ` (anonymous ${split.anon.toFixed(2)}, file ${split.file.toFixed(2)})` : ''}`,
    );
  };
  stage('UNet runner (plain session) and ControlNet session created');
  await unet.run(x, t, ctx, undefined, { control: await cn.run(x, t, ctx, noise([1, 3, side * 8, side * 8])) });
  stage('after one step with the ControlNet (plain session released, control graph built)');
  console.log(`peak ${process.resourceUsage().maxRSS / 2 ** 20}`);
  await sessionCache.clear();
} else {
  runIfMain(import.meta.url, run);
}
