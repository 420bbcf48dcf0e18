/**
 * SDXL-sized random-weight UNet (CPU provider unless LOOM_BENCH_DEVICE=webgpu|cuda): model_channels 320, channel_mult [1,2,4],
 * transformer depth [0,2,10] (middle 10), context 2048, adm 2816, 64-wide heads, linear projections
 * (2.57 B parameters). Weights are streamed into an fp16 .safetensors (5.1 GB, one tensor in memory at a
 * time, as a real SDXL checkpoint ships), then createUNet materialises them as fp32 into the on-disk weight
 * cache (10.3 GB) and onnxruntime loads them; a second build saves onnxruntime's optimised model (10.3 GB more)
 * and a third reloads it (on a GPU provider: fp16 bound straight from the file, and a second build). Reports time and RSS after each phase, CFG steps (batch 2)
 * at 64x64 (512x512 image) and 128x128 (1024x1024; LOOM_BENCH_SDXL_1024=0 skips it, =1 adds it to the
 * smaller variants), and the peak RSS.
 *
 * Run: `npx tsx bench/sdxl.ts` or `npx tsx bench/run.ts sdxl`. Needs ~26 GB free disk (LOOM_BENCH_DIR, default
 * the OS temp dir; deleted afterwards). LOOM_BENCH_SDXL=scaled keeps SDXL's layer widths with one transformer
 * block per attention level (0.64 B parameters: memory per parameter at SDXL shapes, not an SDXL timing);
 * =smoke runs a 30 M-parameter UNet of the same family (checks the bench itself); =skip skips the section.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { float32ToF16 } from '../server/runtime/io/dtype';
import { writeSafetensors, type TensorEntry } from '../server/runtime/io/safetensors-write';
import { createUNet, precisionFor, type UNetRunner } from '../server/runtime/models';
import { deviceFromEnv } from '../server/runtime/onnx/session';
import { sessionCache } from '../server/runtime/onnx/session-cache';
import { rssSplit } from './lib/measure';
import { backgroundSaves, OPTIMIZED_PREFIX } from '../server/runtime/onnx/optimized-models';
import { WeightCache } from '../server/runtime/onnx/weights-cache';
import { fileComponent } from '../tests/helpers/model-weights';
import { benchNoise as noise, figureLog, runIfMain, timed } from './lib/measure';

export interface SdxlUNetSpec {
  modelChannels: number;
  channelMult: number[];
  numResBlocks: number;
  /** transformer depth per level (0 = no attention); the middle block takes the last level's */
  depth: number[];
  contextDim: number;
  admInChannels: number;
}

export const SDXL_UNET: SdxlUNetSpec = {
  modelChannels: 320,
  channelMult: [1, 2, 4],
  numResBlocks: 2,
  depth: [0, 2, 10],
  contextDim: 2048,
  admInChannels: 2816,
};
/** SDXL's layer widths with 1 transformer block per attention level instead of 2/10: 0.64 B parameters */
const SCALED_UNET: SdxlUNetSpec = { ...SDXL_UNET, depth: [0, 1, 1] };
const SMOKE_UNET: SdxlUNetSpec = {
  modelChannels: 64,
  channelMult: [1, 2, 4],
  numResBlocks: 2,
  depth: [0, 1, 2],
  contextDim: 256,
  admInChannels: 512,
};
const SPECS: Readonly<Record<string, SdxlUNetSpec>> = { full: SDXL_UNET, scaled: SCALED_UNET, smoke: SMOKE_UNET };

interface ParamSpec {
  name: string;
  shape: number[];
  std: number;
  mean: number;
}

/** Names and shapes of an sgm/LDM SDXL UNetModel state dict (relative to model.diffusion_model.). */
export function sdxlUNetParams(s: SdxlUNetSpec): ParamSpec[] {
  const out: ParamSpec[] = [];
  const add = (name: string, shape: number[], std: number, mean = 0) => out.push({ name, shape, std, mean });
  const linear = (p: string, o: number, i: number, bias = true) => {
    add(`${p}.weight`, [o, i], 1 / Math.sqrt(i));
    if (bias) add(`${p}.bias`, [o], 0.02);
  };
  const conv = (p: string, o: number, i: number, k: number) => {
    add(`${p}.weight`, [o, i, k, k], 1 / Math.sqrt(i * k * k));
    add(`${p}.bias`, [o], 0.02);
  };
  const norm = (p: string, c: number) => {
    add(`${p}.weight`, [c], 0.1, 1);
    add(`${p}.bias`, [c], 0.1);
  };
  const mc = s.modelChannels;
  const ted = 4 * mc;
  const res = (p: string, i: number, o: number) => {
    norm(`${p}.in_layers.0`, i);
    conv(`${p}.in_layers.2`, o, i, 3);
    linear(`${p}.emb_layers.1`, o, ted);
    norm(`${p}.out_layers.0`, o);
    conv(`${p}.out_layers.3`, o, o, 3);
    if (i !== o) conv(`${p}.skip_connection`, o, i, 1);
  };
  const st = (p: string, c: number, depth: number) => {
    norm(`${p}.norm`, c);
    linear(`${p}.proj_in`, c, c);
    for (let d = 0; d < depth; d++) {
      const b = `${p}.transformer_blocks.${d}`;
      for (const n of ['norm1', 'norm2', 'norm3']) norm(`${b}.${n}`, c);
      for (const [a, kv] of [
        ['attn1', c],
        ['attn2', s.contextDim],
      ] as const) {
        linear(`${b}.${a}.to_q`, c, c, false);
        linear(`${b}.${a}.to_k`, c, kv, false);
        linear(`${b}.${a}.to_v`, c, kv, false);
        linear(`${b}.${a}.to_out.0`, c, c);
      }
      linear(`${b}.ff.net.0.proj`, 8 * c, c);
      linear(`${b}.ff.net.2`, c, 4 * c);
    }
    linear(`${p}.proj_out`, c, c);
  };
  linear('time_embed.0', ted, mc);
  linear('time_embed.2', ted, ted);
  linear('label_emb.0.0', ted, s.admInChannels);
  linear('label_emb.0.2', ted, ted);
  conv('input_blocks.0.0', mc, 4, 3);
  const skip = [mc];
  let ch = mc;
  let block = 1;
  s.channelMult.forEach((m, level) => {
    for (let r = 0; r < s.numResBlocks; r++, block++) {
      res(`input_blocks.${block}.0`, ch, m * mc);
      ch = m * mc;
      if (s.depth[level]) st(`input_blocks.${block}.1`, ch, s.depth[level]);
      skip.push(ch);
    }
    if (level < s.channelMult.length - 1) {
      conv(`input_blocks.${block}.0.op`, ch, ch, 3);
      skip.push(ch);
      block++;
    }
  });
  const last = s.depth[s.depth.length - 1];
  res('middle_block.0', ch, ch);
  st('middle_block.1', ch, last);
  res('middle_block.2', ch, ch);
  block = 0;
  for (let level = s.channelMult.length - 1; level >= 0; level--) {
    const o = s.channelMult[level] * mc;
    for (let r = 0; r <= s.numResBlocks; r++, block++) {
      res(`output_blocks.${block}.0`, ch + skip.pop()!, o);
      ch = o;
      if (s.depth[level]) st(`output_blocks.${block}.1`, ch, s.depth[level]);
      if (level > 0 && r === s.numResBlocks) conv(`output_blocks.${block}.${s.depth[level] ? 2 : 1}.conv`, ch, ch, 3);
    }
  }
  norm('out.0', ch);
  conv('out.2', 4, ch, 3);
  return out;
}

/** Uniform values with the spec's mean/std, from a fast xorshift; deterministic per tensor. */
function fill(p: ParamSpec, seed: number): Float32Array {
  const n = p.shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  const k = p.std * Math.sqrt(3) * 2;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    v[i] = p.mean + ((x >>> 0) / 4294967296 - 0.5) * k;
  }
  return v;
}

const gib = (b: number) => b / 2 ** 30;

/** Linux: resident anonymous vs file-backed (memory-mapped) memory, GiB; undefined elsewhere. */
/** bytes of the files in a folder, less hard links (the cache links the user's own file for direct bindings) */
const dirBytes = (dir: string) =>
  readdirSync(dir).reduce((a, f) => {
    const s = statSync(path.join(dir, f));
    return a + (s.isFile() && s.nlink === 1 ? s.size : 0);
  }, 0);

export interface SdxlBenchResult {
  figures: Record<string, number>;
  lines: string[];
}

export async function run(): Promise<SdxlBenchResult | undefined> {
  const mode = process.env.LOOM_BENCH_SDXL ?? 'full';
  if (mode === 'skip') return undefined;
  const spec = SPECS[mode];
  if (!spec) throw new Error(`LOOM_BENCH_SDXL=${mode}: expected ${Object.keys(SPECS).join(', ')} or skip`);
  const { figures, lines, note } = figureLog();
  const rssNow = (phase: string) => {
    note(`rss_${phase}_gb`, gib(process.memoryUsage().rss), `RSS after ${phase} (GiB)`);
    note(`peak_rss_${phase}_gb`, process.resourceUsage().maxRSS / 2 ** 20, `peak RSS so far, after ${phase} (GiB)`);
    const split = rssSplit();
    if (split) {
      note(`rss_anon_${phase}_gb`, split.anon, `  of which anonymous (GiB)`);
      note(`rss_file_${phase}_gb`, split.file, `  of which file-backed / memory-mapped (GiB)`);
    }
  };
  const dir = mkdtempSync(path.join(process.env.LOOM_BENCH_DIR ?? tmpdir(), 'loom-bench-sdxl-'));
  const cacheDir = path.join(dir, 'cache');
  try {
    console.log(`SDXL UNet (${mode}): ${JSON.stringify(spec)}`);
    const params = sdxlUNetParams(spec);
    const count = params.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
    note('params_b', count / 1e9, `parameters (billions; ${params.length} tensors)`);
    const file = path.join(dir, 'unet.safetensors');
    const entries: TensorEntry[] = params.map((p, i) => ({
      name: p.name,
      dtype: 'F16',
      shape: p.shape,
      data: async () => new Uint8Array(float32ToF16(fill(p, i + 1)).buffer),
    }));
    const [written, writeS] = await timed(() => writeSafetensors(file, entries));
    note('fp16_file_gb', gib(written.bytes), 'fp16 .safetensors written (GiB)');
    note('write_s', writeS, 'random fp16 weights generated + written, streaming (s)');
    rssNow('write');
    const weights = await fileComponent(file, '');
    const device = deviceFromEnv(process.env.LOOM_BENCH_DEVICE ?? 'cpu');
    if (device === 'auto') throw new Error('LOOM_BENCH_DEVICE: name the provider to measure (cpu, webgpu or cuda)');
    const opts = { device, cache: new WeightCache({ dir: cacheDir }), log: (l: string) => console.log(l) };
    const [, coldS] = await timed(() => createUNet(weights, opts));
    note(
      'session_cold_s',
      coldS,
      `UNet session on ${device} (${precisionFor(device, 'unet', undefined, count)}), cold weight cache (materialisation + ORT create) (s)`,
    );
    note('weight_cache_gb', gib(dirBytes(cacheDir)), 'weights materialised into the cache (GiB; hard links to the file not counted)');
    rssNow('session');
    await sessionCache.clear();
    let unet: UNetRunner;
    if (device === 'cpu') {
      // CPU: the second build saves onnxruntime's optimised model into the cache, the third reloads it
      const [, builtS] = await timed(() => createUNet(weights, opts));
      note('session_save_s', builtS, 'UNet session, second build (s; its optimised model is saved in the background after)');
      const [, savedS] = await timed(() => backgroundSaves());
      note('session_bg_save_s', savedS, "  background save of the optimised model (s, off the user's time)");
      const saved = readdirSync(cacheDir).filter((f) => f.startsWith(OPTIMIZED_PREFIX) && !f.includes('.'));
      note('saved_model_gb', gib(saved.reduce((a, d) => a + dirBytes(path.join(cacheDir, d)), 0)), 'saved optimised model on disk (GiB)');
      await sessionCache.clear();
      const [reloaded, reloadS] = await timed(() => createUNet(weights, opts));
      note('session_reload_s', reloadS, 'UNet session, third build (saved optimised model reloaded) (s)');
      unet = reloaded;
    } else {
      const [warm, warmS] = await timed(() => createUNet(weights, opts));
      note('session_warm_s', warmS, 'UNet session, second build (warm weight cache) (s)');
      unet = warm;
    }
    rssNow('reload');
    if (unet.config.admInChannels !== spec.admInChannels) throw new Error(`derived adm ${unet.config.admInChannels}, expected ${spec.admInChannels}`);
    const ctx = noise([2, 77, spec.contextDim]);
    const y = noise([2, spec.admInChannels]);
    const t = Float32Array.of(999, 999);
    // 1024x1024 (128x128 latent) by default only for the full model: LOOM_BENCH_SDXL_1024=0/1 overrides
    const with1024 = (process.env.LOOM_BENCH_SDXL_1024 ?? (mode === 'full' ? '1' : '0')) === '1';
    const sizes = with1024 ? [64, 128] : [64];
    for (const n of sizes) {
      const [, first] = await timed(() => unet.run(noise([2, 4, n, n]), t, ctx, y));
      note(`step_${n}_first_s`, first, `UNet CFG step (batch 2) at ${n}x${n} latent / ${n * 8}x${n * 8} image, first run (s)`);
      const [, second] = await timed(() => unet.run(noise([2, 4, n, n]), t, ctx, y));
      note(`step_${n}_s`, second, `UNet CFG step at ${n}x${n}, second run (s)`);
      rssNow(`step_${n}`);
    }
    note('peak_rss_gb', process.resourceUsage().maxRSS / 2 ** 20, 'peak RSS (GiB)');
    return { figures, lines };
  } finally {
    await sessionCache.clear();
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, run);
