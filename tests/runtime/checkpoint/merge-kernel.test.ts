import { readdirSync, truncateSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mergeCheckpointFiles } from '@/server/runtime/checkpoint/merge';
import { CHUNK, KernelMerge, kernelStats, type KernelDType, type KernelJob } from '@/server/runtime/checkpoint/merge-kernel';
import { combine, f32Weights } from '@/server/runtime/checkpoint/merge-math';
import type { MergeMode } from '@/server/runtime/checkpoint/merge-ratios';
import { f16BitsToFloat, f32BitsToF16, float32ToBF16, float32ToF16, toFloat32 } from '@/server/runtime/io/dtype';
import type { FileRange } from '@/server/runtime/io/tensor';
import { mulberry32 } from '../../helpers/prng';
import { scratchDir } from '../io/st-fixtures';
import { unet, vae, writeTiny } from './synthetic';

// a source truncated right after its header was validated: the merge then meets a short read
const truncateAfterLoad = vi.hoisted(() => ({ path: '', to: 0 }));
vi.mock('@/server/runtime/checkpoint/load', async (importOriginal) => {
  const mod = await importOriginal<typeof import('@/server/runtime/checkpoint/load')>();
  return {
    ...mod,
    loadCheckpoint: async (...args: Parameters<typeof mod.loadCheckpoint>) => {
      const ck = await mod.loadCheckpoint(...args);
      if (args[0] === truncateAfterLoad.path) truncateSync(args[0], truncateAfterLoad.to);
      return ck;
    },
  };
});

const tmp = scratchDir('merge-kernel');
afterAll(() => tmp.cleanup());
process.env.LOOM_CACHE_DIR = tmp.file('hash-cache');

const DTYPES: KernelDType[] = ['F16', 'BF16', 'F32'];
let files = 0;

/** Writes the arrays into one file behind an odd-sized prefix (unaligned offsets) and returns their ranges. */
async function onDisk(...parts: Uint8Array[]): Promise<FileRange[]> {
  const path = tmp.file(`src${files++}.bin`);
  let offset = 3;
  const ranges = parts.map((p) => {
    const r = { path, offset, length: p.byteLength };
    offset += p.byteLength;
    return r;
  });
  await writeFile(path, Buffer.concat([Buffer.alloc(3), ...parts]));
  return ranges;
}

async function runKernel(job: Omit<KernelJob, 'a' | 'b' | 'c'>, ...srcs: { bytes: Uint8Array; dtype: KernelDType }[]): Promise<Uint8Array> {
  const ranges = await onDisk(...srcs.map((s) => s.bytes));
  const [a, b, c] = srcs.map((s, i) => ({ file: ranges[i], dtype: s.dtype }));
  const k = new KernelMerge();
  try {
    return await k.run({ ...job, a, b, c });
  } finally {
    await k.close();
  }
}

const SPECIAL = [0, -0, 2 ** -24, -(2 ** -20), 6.1e-5, Infinity, -Infinity, 70000, -70000, NaN, 65504, 1, -1];

/** Values of many magnitudes with the special ones sprinkled in, stored as `dtype`. */
function values(n: number, dtype: KernelDType, rnd: () => number): Uint8Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rnd() < 0.1 ? SPECIAL[Math.floor(rnd() * SPECIAL.length)] : (rnd() - 0.5) * 2 ** Math.floor(rnd() * 44 - 30);
  if (dtype === 'F32') return new Uint8Array(v.buffer);
  if (dtype === 'BF16') return new Uint8Array(float32ToBF16(v).buffer);
  const h = float32ToF16(v);
  // plus raw f16 patterns: every subnormal, Inf and NaN encoding is fair game
  for (let i = 0; i < n; i += 5) h[i] = Math.floor(rnd() * 65536);
  return new Uint8Array(h.buffer);
}

function jsMerge(mode: MergeMode, r: number, out: 'F16' | 'F32', ...srcs: { bytes: Uint8Array; dtype: KernelDType }[]): Uint8Array {
  const [a, b, c] = srcs.map((s) => toFloat32(s.bytes, s.dtype));
  const v = combine(mode, r, a, b, c);
  return out === 'F16' ? new Uint8Array(float32ToF16(v).buffer) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** an aligned copy of the bytes in their own buffer (a Buffer may be a view into a pool) */
const own = (x: Uint8Array) => new Uint8Array(x).buffer;

const isNaN16 = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
const isNaN32 = (x: number) => (x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0;

/** Bit-identical, except that a NaN only has to be a NaN. Returns the first mismatch. */
function firstDifference(got: Uint8Array, want: Uint8Array, dtype: 'F16' | 'F32'): string | undefined {
  expect(got.byteLength).toBe(want.byteLength);
  const [g, w] = [got, want].map((x) => (dtype === 'F16' ? new Uint16Array(own(x)) : new Uint32Array(own(x))));
  const nan = dtype === 'F16' ? isNaN16 : isNaN32;
  for (let i = 0; i < g.length; i++) {
    if (nan(w[i]) ? !nan(g[i]) : g[i] !== w[i]) return `element ${i}: kernel 0x${g[i].toString(16)}, JS 0x${w[i].toString(16)}`;
  }
  return undefined;
}

describe('merge kernel vs JS combine', () => {
  const cases: { mode: MergeMode; types: KernelDType[] }[] = [];
  for (const a of DTYPES) {
    for (const b of DTYPES) {
      cases.push({ mode: 'weighted', types: [a, b] });
      for (const c of DTYPES) cases.push({ mode: 'add-difference', types: [a, b, c] });
    }
  }

  it.each(cases)('$mode $types: bit-identical for both outputs, odd lengths and several ratios', async ({ mode, types }) => {
    const rnd = mulberry32(types.join('').length * 31 + (mode === 'weighted' ? 1 : 2));
    const ratios = mode === 'weighted' ? [0.3, -0.25, 1.7] : [1, 0.45, -2];
    for (const n of [1, 7, 1003]) {
      const srcs = types.map((dtype) => ({ bytes: values(n, dtype, rnd), dtype }));
      for (const r of ratios) {
        for (const out of ['F16', 'F32'] as const) {
          const got = await runKernel({ name: 't', mode, ...f32Weights(r), out, count: n }, ...srcs);
          const want = jsMerge(mode, r, out, ...srcs);
          expect(firstDifference(got, want, out), `${mode} ${types} n=${n} r=${r} -> ${out}`).toBeUndefined();
        }
      }
    }
  });

  it('is bit-identical across chunk boundaries (chunk + 3 elements)', async () => {
    const rnd = mulberry32(7);
    const n = CHUNK + 3;
    const f16 = [0, 1, 2].map(() => ({ bytes: values(n, 'F16', rnd), dtype: 'F16' as const }));
    const got = await runKernel({ name: 't', mode: 'weighted', ...f32Weights(0.3), out: 'F16', count: n }, f16[0], f16[1]);
    expect(firstDifference(got, jsMerge('weighted', 0.3, 'F16', f16[0], f16[1]), 'F16')).toBeUndefined();
    const mixed = [f16[0], { bytes: values(n, 'BF16', rnd), dtype: 'BF16' as const }, { bytes: values(n, 'F32', rnd), dtype: 'F32' as const }];
    const got2 = await runKernel({ name: 't', mode: 'add-difference', ...f32Weights(0.6), out: 'F32', count: n }, ...mixed);
    expect(firstDifference(got2, jsMerge('add-difference', 0.6, 'F32', ...mixed), 'F32')).toBeUndefined();
  });

  it('add-difference keeps A bit for bit (-0 included) where B = C', async () => {
    const a = new Uint16Array([0x8000, 0x0000, 0x0001, 0x3c00, 0xfc00, 0x7e01]);
    const b = new Uint16Array([0x3c00, 0x8000, 0x4000, 0x7bff, 0x1234, 0x0000]);
    const bytes = (x: Uint16Array) => ({ bytes: new Uint8Array(x.buffer), dtype: 'F16' as const });
    const got = await runKernel({ name: 't', mode: 'add-difference', ...f32Weights(0.7), out: 'F16', count: 6 }, bytes(a), bytes(b), bytes(b));
    expect(Array.from(new Uint16Array(own(got)))).toEqual(Array.from(a));
  });
});

describe('streaming from the kernel memory', () => {
  /** A sink that reads each chunk only when its (slow, unevenly timed) write completes, as the file writer does. */
  const lazySink = (into: Uint8Array[], delayMs: () => number) => (chunk: Uint8Array) => {
    const at = into.push(new Uint8Array(0)) - 1;
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        into[at] = new Uint8Array(chunk);
        resolve();
      }, delayMs()),
    );
  };

  it('no output region is reused before its write is done, within a tensor and across tensors', async () => {
    const rnd = mulberry32(11);
    const n = 5 * CHUNK + 3; // more chunks than output regions
    const srcs = [0, 1].map(() => ({ bytes: values(n, 'F16', rnd), dtype: 'F16' as const }));
    const ranges = await onDisk(...srcs.map((s) => s.bytes));
    const [a, b] = ranges.map((file) => ({ file, dtype: 'F16' as const }));
    const k = new KernelMerge();
    try {
      const jobs: KernelJob[] = [
        { name: 'x', mode: 'weighted', ...f32Weights(0.3), a, b, out: 'F16', count: n },
        { name: 'y', mode: 'weighted', ...f32Weights(-0.6), a, b, out: 'F32', count: n },
        { name: 'z', mode: 'convert', k: 0, r: 0, a: b, out: 'F32', count: n },
      ];
      const got: Uint8Array[][] = [[], [], [], []];
      const writes: Promise<void>[] = [];
      let delay = 0;
      const sink = (i: number) => {
        const lazy = lazySink(got[i], () => (delay = (delay + 7) % 13));
        return (chunk: Uint8Array) => {
          const p = lazy(chunk);
          writes.push(p);
          return p;
        };
      };
      // one after another without waiting for the writes, as writeSafetensors does
      for (const [i, job] of jobs.entries()) await k.stream(job, sink(i));
      await k.streamBytes('raw', a.file, sink(3));
      await Promise.all(writes);
      for (const [i, job] of jobs.entries()) {
        const want = await k.run(job);
        expect(Buffer.concat(got[i]).equals(want), job.name).toBe(true);
        expect(got[i].every((c) => c.byteLength <= CHUNK * 4)).toBe(true);
      }
      expect(Buffer.concat(got[3]).equals(srcs[0].bytes)).toBe(true);
      expect(firstDifference(Buffer.concat(got[0]), jsMerge('weighted', 0.3, 'F16', ...srcs), 'F16')).toBeUndefined();
    } finally {
      await k.close();
    }
  });

  it('a failed write stops the tensor with that error', async () => {
    const rnd = mulberry32(12);
    const n = 6 * CHUNK;
    const [a] = await onDisk(values(n, 'F16', rnd));
    const k = new KernelMerge();
    let calls = 0;
    try {
      await expect(
        k.stream({ name: 'w', mode: 'convert', k: 0, r: 0, a: { file: a, dtype: 'F16' }, out: 'F32', count: n }, async () => {
          if (++calls === 2) throw new Error('disk full');
        }),
      ).rejects.toThrow('disk full');
      expect(calls).toBeLessThan(6);
    } finally {
      await k.close();
    }
  });
});

describe('merge kernel dtype conversion', () => {
  const convert = (bytes: Uint8Array, dtype: KernelDType, out: 'F16' | 'F32', count: number) =>
    runKernel({ name: 'convert', mode: 'convert', k: 0, r: 0, out, count }, { bytes, dtype });

  it('every f16 bit pattern survives f16 -> f32 -> f16; f16 -> f32 equals the JS table', async () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const f32 = await convert(new Uint8Array(all.buffer), 'F16', 'F32', 65536);
    const want32 = new Uint32Array(toFloat32(new Uint8Array(all.buffer), 'F16').buffer);
    expect(Buffer.from(f32).equals(Buffer.from(want32.buffer))).toBe(true);
    const back = new Uint16Array(own(await convert(f32, 'F32', 'F16', 65536)));
    let nans = 0;
    for (let h = 0; h < 65536; h++) {
      if (isNaN16(h)) {
        nans++;
        // NaN stays NaN (quietened, like torch and f32BitsToF16)
        expect(back[h], `0x${h.toString(16)}`).toBe(f32BitsToF16(want32[h]));
        expect(isNaN16(back[h])).toBe(true);
      } else if (back[h] !== h) {
        expect.fail(`0x${h.toString(16)} came back as 0x${back[h].toString(16)}`);
      }
    }
    expect(nans).toBe(2 * 1023);
  });

  it('f32 -> f16 rounds like f32BitsToF16 on random bit patterns and on every tie', async () => {
    const rnd = mulberry32(2024);
    const bits: number[] = [];
    for (let i = 0; i < 3_000_000; i++) bits.push(Math.floor(rnd() * 2 ** 32));
    const scratch = new Float32Array(1);
    const asBits = new Uint32Array(scratch.buffer);
    const push = (v: number) => {
      scratch[0] = v;
      bits.push(asBits[0], asBits[0] - 1, asBits[0] + 1, (asBits[0] | 0x80000000) >>> 0);
    };
    // halfway between neighbouring f16 values (subnormal, normal, the top one rounding to Inf), and one f32 ulp either side
    for (let h = 0; h < 0x7c00; h++) push((f16BitsToFloat(h) + (h === 0x7bff ? 65536 : f16BitsToFloat(h + 1))) / 2);
    push(2 ** -25);
    const src = new Uint32Array(bits);
    const got = new Uint16Array(own(await convert(new Uint8Array(src.buffer), 'F32', 'F16', src.length)));
    for (let i = 0; i < src.length; i++) {
      if (got[i] !== f32BitsToF16(src[i]))
        expect.fail(`f32 0x${src[i].toString(16)}: kernel 0x${got[i].toString(16)}, JS 0x${f32BitsToF16(src[i]).toString(16)}`);
    }
  });

  it('bf16 -> f32 is the bits shifted up 16', async () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const got = new Uint32Array(own(await convert(new Uint8Array(all.buffer), 'BF16', 'F32', 65536)));
    for (let i = 0; i < 65536; i++) if (got[i] !== (i << 16) >>> 0) expect.fail(`bf16 0x${i.toString(16)}`);
  });
});

describe('merging files through the kernel', () => {
  const clip = { 'cond_stage_model.transformer.text_model.w': [CHUNK + 5] };
  const fill = (seed: number) => (name: string, i: number) => Math.sin(i * 0.37 + seed + name.length) * 2 ** ((i % 23) - 16);

  it('takes the kernel path for fp16 files and writes the same bytes as the JS path', async () => {
    const a = await writeTiny(tmp.file('a.safetensors'), { ...unet(), ...vae, ...clip }, fill(1));
    const b = await writeTiny(tmp.file('b.safetensors'), { ...unet(), ...vae, ...clip }, fill(2));
    const c = await writeTiny(tmp.file('c.safetensors'), { ...unet(), ...vae, ...clip }, fill(3));
    const runs = [
      { mode: 'weighted' as const, ratios: { base: 0.3, vae: 1, textEncoder: 0 }, dtype: 'F16' as const },
      { mode: 'weighted' as const, ratios: { base: -0.4 }, dtype: 'F32' as const },
      { mode: 'add-difference' as const, c, ratios: { base: 0.8 }, dtype: 'F16' as const },
    ];
    for (const [i, run] of runs.entries()) {
      const fast = tmp.file(`fast${i}.safetensors`);
      const slow = tmp.file(`slow${i}.safetensors`);
      const before = kernelStats.tensors;
      const rep = await mergeCheckpointFiles({ a, b, ...run, out: fast, hashSources: false });
      // the ratio-1 VAE and ratio-0 text encoder are exact copies, not kernel work
      expect(kernelStats.tensors - before).toBe(i === 0 ? 2 : rep.merged);
      expect(rep.merged).toBe(4);
      await mergeCheckpointFiles({ a, b, ...run, out: slow, hashSources: false, kernel: false });
      expect(kernelStats.tensors - before).toBe(i === 0 ? 2 : rep.merged);
      const [x, y] = await Promise.all([fast, slow].map((f) => import('node:fs/promises').then((fs) => fs.readFile(f))));
      expect(x.equals(y), `${run.mode} ${run.dtype}`).toBe(true);
    }
  });

  it('tensors copied from A (outside the components) stream through the kernel with the same bytes as the JS path', async () => {
    const extra = { 'model_ema.diffusion_modelw': [CHUNK * 2 + 9], 'model_ema.decay': [1] };
    const a = await writeTiny(tmp.file('ca.safetensors'), { ...unet(), ...vae, ...clip, ...extra }, fill(4));
    const b = await writeTiny(tmp.file('cb.safetensors'), { ...unet(), ...vae, ...clip }, fill(5));
    for (const dtype of ['F16', 'F32'] as const) {
      const [fast, slow] = [tmp.file(`cfast${dtype}.safetensors`), tmp.file(`cslow${dtype}.safetensors`)];
      const rep = await mergeCheckpointFiles({ a, b, mode: 'weighted', ratios: { base: 0.5 }, out: fast, dtype, hashSources: false });
      expect(rep.copiedFromA.sort()).toEqual(Object.keys(extra).sort());
      await mergeCheckpointFiles({ a, b, mode: 'weighted', ratios: { base: 0.5 }, out: slow, dtype, hashSources: false, kernel: false });
      const [x, y] = await Promise.all([fast, slow].map((f) => import('node:fs/promises').then((fs) => fs.readFile(f))));
      expect(x.equals(y), dtype).toBe(true);
    }
  });

  it('a source truncated during the merge is an error naming tensor and file, and leaves no output', async () => {
    const a = await writeTiny(tmp.file('ta.safetensors'), { ...unet(), ...vae, ...clip }, fill(1));
    const b = await writeTiny(tmp.file('tb.safetensors'), { ...unet(), ...vae, ...clip }, fill(2));
    truncateAfterLoad.path = b;
    truncateAfterLoad.to = 4096;
    const out = tmp.file('truncated.safetensors');
    try {
      await expect(mergeCheckpointFiles({ a, b, mode: 'weighted', ratios: { base: 0.5 }, out, dtype: 'F16', hashSources: false })).rejects.toThrow(
        /^tensor "[^"]+": .*tb\.safetensors ended early \(\d+ of \d+ bytes read at offset \d+\); was it truncated or replaced during the merge\?$/,
      );
    } finally {
      truncateAfterLoad.path = '';
    }
    expect(readdirSync(tmp.dir).filter((f) => f.includes('truncated'))).toEqual([]);
  });
});
