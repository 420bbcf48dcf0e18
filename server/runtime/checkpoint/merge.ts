import { basename, resolve } from 'node:path';
import { float32ToF16, toFloat32 } from '../io/dtype';
import { writeSafetensors, type TensorEntry } from '../io/safetensors-write';
import { numel, type DType, type FileRange, type TensorRef } from '../io/tensor';
import { CheckpointError } from './errors';
import { VARIANT_KEY, type ComponentName } from './families';
import { SourceHashes, WrittenHash, type RangeReader } from './hash-stream';
import { loadCheckpoint, type Checkpoint } from './load';
import { isKernelDType, KernelMerge, type KernelJob, type KernelSource } from './merge-kernel';
import { combine, f32Weights } from './merge-math';
import { ratioFor, validateRatios, type MergeMode, type MergeRatios } from './merge-ratios';

export interface MergeFilesOptions {
  a: string;
  b: string;
  /** required for add-difference */
  c?: string;
  mode: MergeMode;
  ratios: MergeRatios;
  out: string;
  /** output dtype of float tensors (integer tensors keep theirs) */
  dtype: 'F16' | 'F32';
  /** hash the sources into the metadata (sha256 of whole files, taken from the merge's own reads; cached) */
  hashSources?: boolean;
  /** reads the hashing needs beyond the merge's own (header, skipped tensors); tests count them */
  hashReader?: RangeReader;
  /** false: compute every tensor on the JS path (same bits, slower); for comparisons and as an escape hatch */
  kernel?: boolean;
}

export interface MergeReport {
  out: string;
  tensors: number;
  bytes: number;
  merged: number;
  /** tensors copied from A unchanged: outside the components, integer, or absent from B/C */
  copiedFromA: string[];
  /** tensors of B that A lacks, dropped (A1111 keeps A's key set) */
  droppedFromB: number;
}

const HASH_KEY = 'latentloom.merge.sha256';

const FLOAT: ReadonlySet<DType> = new Set(['F16', 'F32', 'BF16', 'F64']);

/**
 * Streams a merge of checkpoint files into a .safetensors file: through the kernel a few chunks are in memory
 * at a time (read, computed and written overlapped), on the JS path a tensor or two (the writer's budget).
 */
export async function mergeCheckpointFiles(opts: MergeFilesOptions): Promise<MergeReport> {
  if (opts.mode === 'add-difference' && !opts.c) throw new CheckpointError('add-difference needs a third model (--c)');
  if (opts.mode === 'weighted' && opts.c) throw new CheckpointError('a weighted merge takes two models; --c is only for add-difference');
  const A = await loadCheckpoint(opts.a);
  const B = await loadCheckpoint(opts.b);
  const C = opts.c ? await loadCheckpoint(opts.c) : undefined;
  for (const other of [B, C]) {
    if (other && other.family !== A.family) throw new CheckpointError(`cannot merge ${A.family} (${opts.a}) with ${other.family} (${other.path})`);
  }
  validateRatios(opts.ratios, A.family);
  const componentOf = componentIndex(A);
  const report: MergeReport = { out: opts.out, tensors: 0, bytes: 0, merged: 0, copiedFromA: [], droppedFromB: 0 };
  for (const k of B.tensors.keys()) if (!A.tensors.has(k)) report.droppedFromB++;

  const sources = [opts.a, opts.b, opts.c].filter((p): p is string => p !== undefined);
  const hashing = opts.hashSources === false ? undefined : await SourceHashes.start(sources, opts.hashReader);
  const observe = hashing?.tapping ? hashing.observe : undefined;
  const kernel = opts.kernel === false ? undefined : new KernelMerge(observe);
  const f32 = async (t: TensorRef) => toFloat32(await read(t), t.dtype);
  const read = async (t: TensorRef) => {
    const bytes = await t.read();
    if (observe && t.file) observe(t.file.path, t.file.offset, bytes);
    return bytes;
  };
  const convert = async (t: TensorRef, dtype: DType) => (t.dtype === dtype ? read(t) : encode(await f32(t), dtype));
  const entries: TensorEntry[] = [];
  for (const [name, ta] of A.tensors) {
    const tb = B.tensors.get(name);
    const tc = C?.tensors.get(name);
    const where = componentOf(name);
    const mergeable = where && FLOAT.has(ta.dtype) && tb && (!C || tc);
    // A1111's rule for inpainting / InstructPix2Pix A with a normal B (and C): merge the 4 latent input channels only
    const latentOnly = mergeable && name === VARIANT_KEY && [tb, tc].some((t) => t && !sameShape(t.shape, ta.shape));
    for (const t of [tb, tc]) {
      if (!mergeable || !t) continue;
      if (latentOnly && inputChannelsOnlyDiffer(ta.shape, t.shape)) {
        if (t.shape[1] !== 4)
          throw new CheckpointError(
            `tensor "${name}": A takes ${ta.shape[1]} input channels and ${t === tb ? 'B' : 'C'} ${t.shape[1]}: when merging an inpainting or InstructPix2Pix model with a normal one, A must be the inpainting/pix2pix model`,
          );
        continue;
      }
      if (!sameShape(t.shape, ta.shape)) {
        const hint = name === VARIANT_KEY ? ' (to merge an inpainting model with a normal one, make the inpainting model A)' : '';
        throw new CheckpointError(
          `tensor "${name}": shape ${JSON.stringify(ta.shape)} in A but ${JSON.stringify(t.shape)} in ${t === tb ? 'B' : 'C'}${hint}`,
        );
      }
    }
    const outDtype: DType = FLOAT.has(ta.dtype) ? opts.dtype : ta.dtype;
    if (!mergeable) {
      report.copiedFromA.push(name);
      const fast = kernel && kernelCopy(kernel, name, ta, outDtype);
      entries.push({ name, dtype: outDtype, shape: ta.shape, ...(fast || { data: () => convert(ta, outDtype) }) });
      continue;
    }
    report.merged++;
    const r = ratioFor(opts.ratios, A.family, where.component, where.relative);
    const fast = kernel && !latentOnly && kernelData(kernel, opts.mode, r, outDtype, name, ta, tb!, tc);
    if (fast) {
      entries.push({ name, dtype: outDtype, shape: ta.shape, ...fast });
      continue;
    }
    entries.push({
      name,
      dtype: outDtype,
      shape: ta.shape,
      data: async () => {
        const [a, b, c] = await Promise.all([f32(ta), f32(tb!), tc ? f32(tc) : undefined]);
        if (latentOnly) return encode(combineLeadingChannels(opts.mode, r, a, ta.shape, b, c), outDtype);
        return encode(combine(opts.mode, r, a, b, c), outDtype);
      },
    });
  }
  const recipe = {
    mode: opts.mode,
    ratios: opts.ratios,
    dtype: opts.dtype,
    family: A.family,
    sources: { a: basename(opts.a), b: basename(opts.b), ...(opts.c ? { c: basename(opts.c) } : {}) },
  };
  const metadata: Record<string, string> = { format: 'pt', 'latentloom.merge': JSON.stringify(recipe) };
  const labels = { a: opts.a, b: opts.b, ...(opts.c ? { c: opts.c } : {}) };
  const hashJson = async () => {
    const sums = await hashing!.finish();
    return JSON.stringify(Object.fromEntries(Object.entries(labels).map(([k, p]) => [k, sums.get(resolve(p))!])));
  };
  // hashes still streaming go into the header once the data is written (same length: 64 hex digits each)
  if (hashing)
    metadata[HASH_KEY] = hashing.tapping ? JSON.stringify(Object.fromEntries(Object.keys(labels).map((k) => [k, '0'.repeat(64)]))) : await hashJson();
  const late = hashing?.tapping ? async () => ({ [HASH_KEY]: await hashJson() }) : undefined;
  // with the header final from the start, the output is hashed as it is written (its sha256 is cached for the library)
  const output = late ? undefined : new WrittenHash();
  let written: { bytes: number; tensors: number };
  try {
    written = await writeSafetensors(opts.out, entries, metadata, late ? { lateMetadata: late } : { observe: output!.observe });
  } catch (err) {
    hashing?.abandon(err);
    throw err;
  } finally {
    await kernel?.close();
  }
  if (output) await output.record(opts.out);
  report.tensors = written.tensors;
  report.bytes = written.bytes;
  return report;
}

type Producer = Pick<TensorEntry, 'data' | 'stream'>;

const kernelSource = (t: TensorRef): KernelSource | undefined => (t.file && isKernelDType(t.dtype) ? { file: t.file, dtype: t.dtype } : undefined);

/**
 * The kernel's producers for a merged tensor (stream() for the writer, data() for anyone else), or
 * undefined when it needs the JS path (no file range, other dtypes).
 */
function kernelData(
  kernel: KernelMerge,
  mode: MergeMode,
  r: number,
  out: DType,
  name: string,
  ta: TensorRef,
  tb: TensorRef,
  tc?: TensorRef,
): Producer | undefined {
  const [a, b, c] = [kernelSource(ta), kernelSource(tb), tc && kernelSource(tc)];
  if (!a || !b || (tc && !c) || (out !== 'F16' && out !== 'F32')) return undefined;
  // ratio 0 is A and weighted ratio 1 is B, exactly as stored when the dtype matches (as in combine)
  const only = r === 0 ? a : mode === 'weighted' && r === 1 ? b : undefined;
  if (only) return kernelConvert(kernel, name, only, out, numel(ta.shape));
  const job: KernelJob = { name, mode, ...f32Weights(r), a, b, c, out, count: numel(ta.shape) };
  return { data: () => kernel.run(job), stream: (write) => kernel.stream(job, write) };
}

/** The kernel's producers for a tensor copied from A (raw bytes, or converted), or undefined for the JS path. */
function kernelCopy(kernel: KernelMerge, name: string, ta: TensorRef, out: DType): Producer | undefined {
  if (ta.file && ta.dtype === out) return rawBytes(kernel, name, ta.file);
  const a = kernelSource(ta);
  return a && (out === 'F16' || out === 'F32') ? kernelConvert(kernel, name, a, out, numel(ta.shape)) : undefined;
}

function kernelConvert(kernel: KernelMerge, name: string, src: KernelSource, out: 'F16' | 'F32', count: number): Producer {
  if (src.dtype === out) return rawBytes(kernel, name, src.file);
  const job: KernelJob = { name, mode: 'convert', k: 0, r: 0, a: src, out, count };
  return { data: () => kernel.run(job), stream: (write) => kernel.stream(job, write) };
}

/** The stored bytes as they are, through the merge's open file handles. */
function rawBytes(kernel: KernelMerge, name: string, file: FileRange): Producer {
  return { data: () => kernel.bytes(name, file), stream: (write) => kernel.streamBytes(name, file, write) };
}

/** full name -> (component, component-relative name), from A's family prefixes */
function componentIndex(ck: Checkpoint): (name: string) => { component: ComponentName; relative: string } | undefined {
  const prefixes = Object.entries(ck.componentPrefixes) as [ComponentName, string][];
  return (name) => {
    for (const [component, p] of prefixes) if (name.startsWith(p)) return { component, relative: name.slice(p.length) };
    return undefined;
  };
}

function inputChannelsOnlyDiffer(a: readonly number[], b: readonly number[]): boolean {
  return a.length === 4 && b.length === 4 && a[0] === b[0] && a[2] === b[2] && a[3] === b[3] && a[1] > b[1];
}

/** Merges channels [0, 4) of a conv weight [O, I, kh, kw] with 4-channel B (and C); A's other channels stay. */
function combineLeadingChannels(
  mode: MergeMode,
  r: number,
  a: Float32Array,
  shape: readonly number[],
  b: Float32Array,
  c?: Float32Array,
): Float32Array {
  const [o, i, kh, kw] = shape;
  const k = kh * kw;
  const full = i * k;
  const lead = 4 * k;
  // B and C may be 4-channel (sliced as is) or, for C, full-width like A
  const part = (src: Float32Array, row: number) =>
    src.length === o * lead ? src.subarray(row * lead, (row + 1) * lead) : src.slice(row * full, row * full + lead);
  for (let row = 0; row < o; row++) {
    const slice = a.slice(row * full, row * full + lead);
    a.set(combine(mode, r, slice, part(b, row), c ? part(c, row) : undefined), row * full);
  }
  return a;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function encode(v: Float32Array, dtype: DType): Uint8Array {
  if (dtype === 'F16') return new Uint8Array(float32ToF16(v).buffer);
  if (dtype === 'F32') return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  throw new CheckpointError(`cannot write merged values as ${dtype}`);
}
