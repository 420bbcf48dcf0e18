/**
 * IO and merge throughput on an SD1.5-sized fp16 checkpoint (~1.07 B parameters, random values,
 * a few large tensors per component), generated in a temp dir and deleted afterwards.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mergeCheckpointFiles } from '../server/runtime/checkpoint/merge';
import { stateDictProvider } from '../server/runtime/checkpoint/provider';
import type { WeightProvider } from '../server/runtime/checkpoint/weights';
import { mergeProvider } from '../server/runtime/checkpoint/merge-handles';
import { toFloat32 } from '../server/runtime/io/dtype';
import { openSafetensors } from '../server/runtime/io/safetensors';
import { DEFAULT_SYNC_EVERY_BYTES, writeSafetensors, type TensorEntry } from '../server/runtime/io/safetensors-write';
import { numel } from '../server/runtime/io/tensor';

const GB = 1e9;

/** SD1.5's parameter budget per component (860 M UNet, 123 M text encoder, 84 M VAE) in big tensors. */
function layout(): { name: string; shape: number[] }[] {
  const t: { name: string; shape: number[] }[] = [];
  const unet = 'model.diffusion_model.';
  t.push({ name: `${unet}input_blocks.0.0.weight`, shape: [320, 4, 3, 3] });
  for (let i = 0; i < 58; i++) {
    const where = i < 24 ? `input_blocks.${1 + (i % 11)}.${i}` : i < 30 ? `middle_block.${i % 3}.${i}` : `output_blocks.${i % 12}.${i}`;
    t.push({ name: `${unet}${where}.weight`, shape: [1280, 1280, 3, 3] });
  }
  const clip = 'cond_stage_model.transformer.text_model.';
  t.push({ name: `${clip}embeddings.token_embedding.weight`, shape: [49408, 768] });
  for (let l = 0; l < 12; l++) {
    for (const p of ['q_proj', 'k_proj', 'v_proj', 'out_proj'])
      t.push({ name: `${clip}encoder.layers.${l}.self_attn.${p}.weight`, shape: [768, 768] });
    t.push({ name: `${clip}encoder.layers.${l}.mlp.fc1.weight`, shape: [3072, 768] });
    t.push({ name: `${clip}encoder.layers.${l}.mlp.fc2.weight`, shape: [768, 3072] });
  }
  for (let i = 0; i < 35; i++) t.push({ name: `first_stage_model.decoder.block.${i}.weight`, shape: [512, 512, 3, 3] });
  return t;
}

/** random finite fp16 values of magnitude ~2^-6 (xorshift; the values do not matter, only the bytes) */
function randomF16(count: number, seed: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(count / 2));
  let x = seed | 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = ((x & 0x83ff83ff) | 0x24002400) >>> 0;
  }
  return new Uint8Array(words.buffer, 0, count * 2);
}

export async function writeModel(file: string, seed: number): Promise<number> {
  const entries: TensorEntry[] = layout().map((t, i) => ({
    name: t.name,
    dtype: 'F16',
    shape: t.shape,
    data: async () => randomF16(numel(t.shape), seed * 7919 + i),
  }));
  await writeSafetensors(file, entries, { format: 'pt' });
  return layout().reduce((n, t) => n + numel(t.shape), 0);
}

/**
 * The physical floor of a merge: read a file and write it to a new one beside it, then fsync, as cp does
 * (sequential 16 MiB reads and writes through one buffer), timed as a whole and per step. With
 * `writebackEvery`, an fdatasync is started in the background every that many bytes, as writeSafetensors
 * does (the fsync at the end then only waits for the tail).
 */
async function copyReference(
  src: string,
  dst: string,
  writebackEvery = 0,
): Promise<{ bytes: number; seconds: number; readS: number; writeS: number; syncS: number }> {
  const t0 = performance.now();
  const from = await open(src, 'r');
  const to = await open(dst, 'wx');
  const buf = Buffer.allocUnsafeSlow(16 << 20);
  let [pos, readMs, writeMs, syncMs, syncedAt] = [0, 0, 0, 0, 0];
  let writeback: Promise<void> | undefined;
  try {
    for (;;) {
      let t = performance.now();
      const { bytesRead } = await from.read(buf, 0, buf.length, pos);
      readMs += performance.now() - t;
      if (!bytesRead) break;
      t = performance.now();
      for (let done = 0; done < bytesRead; ) done += (await to.write(buf, done, bytesRead - done, pos + done)).bytesWritten;
      writeMs += performance.now() - t;
      pos += bytesRead;
      if (writebackEvery && !writeback && pos - syncedAt >= writebackEvery) {
        syncedAt = pos;
        writeback = to.datasync().then(() => {
          writeback = undefined;
        });
        writeback.catch(() => undefined); // thrown by the await below
      }
    }
    const t = performance.now();
    await writeback;
    await to.sync();
    syncMs = performance.now() - t;
  } finally {
    await from.close();
    await to.close();
  }
  return { bytes: pos, seconds: (performance.now() - t0) / 1000, readS: readMs / 1000, writeS: writeMs / 1000, syncS: syncMs / 1000 };
}

const rssMiB = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);
const line = (label: string, value: string) => process.stdout.write(`${label.padEnd(42)} ${value}\n`);

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loom-bench-'));
  try {
    const a = path.join(dir, 'a.safetensors');
    const b = path.join(dir, 'b.safetensors');
    let t = performance.now();
    const params = await writeModel(a, 1);
    const writeS = (performance.now() - t) / 1000;
    await writeModel(b, 2);
    const bytes = statSync(a).size;
    line('model', `${(params / 1e9).toFixed(3)} B params, ${layout().length} tensors, ${(bytes / GB).toFixed(2)} GB fp16`);
    line('generate + write (streaming writer)', `${(bytes / GB / writeS).toFixed(2)} GB/s`);

    t = performance.now();
    const runs = 20;
    for (let i = 0; i < runs; i++) await openSafetensors(a);
    line('openSafetensors (header only)', `${((performance.now() - t) / runs).toFixed(2)} ms`);

    const f = await openSafetensors(a);
    t = performance.now();
    let total = 0;
    for (const ref of f.tensors.values()) total += (await ref.read()).length;
    const readS = (performance.now() - t) / 1000;
    line('TensorRef.read() of every tensor', `${(total / GB / readS).toFixed(2)} GB/s (warm page cache)`);

    t = performance.now();
    const fh = await open(a, 'r');
    const chunk = Buffer.allocUnsafe(16 << 20);
    let seq = 0;
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, seq);
      if (!bytesRead) break;
      seq += bytesRead;
    }
    await fh.close();
    const seqS = (performance.now() - t) / 1000;
    line('reference: plain sequential read, 16 MiB', `${(seq / GB / seqS).toFixed(2)} GB/s (warm page cache)`);

    const big = f.tensors.get('model.diffusion_model.input_blocks.1.0.weight')!;
    const raw = await big.read();
    t = performance.now();
    for (let i = 0; i < 5; i++) toFloat32(raw, 'F16');
    line('toFloat32 F16 -> F32', `${((5 * numel(big.shape)) / 1e6 / ((performance.now() - t) / 1000)).toFixed(0)} M elements/s`);
    line('peak RSS after reads', `${rssMiB()} MiB`);

    const out = path.join(dir, 'merged.safetensors');
    // the copy runs both before the merge (same page-cache state the merge meets) and after it (into the
    // writeback the merge's 2 GB left behind), so neither side gets the easier turn unseen
    const cp = await copyReference(a, path.join(dir, 'copy.bin'));
    t = performance.now();
    await mergeCheckpointFiles({ a, b, mode: 'weighted', ratios: { base: 0.3 }, out, dtype: 'F16', hashSources: false });
    const mergeS = (performance.now() - t) / 1000;
    const mergeRss = rssMiB();
    const cpWb = await copyReference(a, path.join(dir, 'copy-writeback.bin'), DEFAULT_SYNC_EVERY_BYTES);
    line(
      'merge weighted 0.3, fp16 out',
      `${mergeS.toFixed(1)} s; ${((2 * bytes) / GB / mergeS).toFixed(2)} GB/s of input (A+B), ${(params / 1e6 / mergeS).toFixed(0)} M params/s`,
    );
    const copyLine = (label: string, c: typeof cp) =>
      line(
        label,
        `${c.seconds.toFixed(1)} s; ${(c.bytes / GB / c.seconds).toFixed(2)} GB/s of input (read ${c.readS.toFixed(2)} s, write ${c.writeS.toFixed(2)} s, fsync ${c.syncS.toFixed(2)} s); merge takes ${(mergeS / c.seconds).toFixed(1)}x`,
      );
    copyLine('reference: cp of A, 16 MiB, + fsync, before', cp);
    copyLine(`  after, writeback every ${DEFAULT_SYNC_EVERY_BYTES >> 20} MiB`, cpWb);
    line('peak RSS after merge', `${mergeRss} MiB`);

    // MergeCheckpoints (the graph node) hands merged tensors to the weight cache one float32() at a time
    const provider = async (f: string) => stateDictProvider((await openSafetensors(f)).tensors, f);
    const [pa, pb] = await Promise.all([provider(a), provider(b)]);
    const inMemory = (p: WeightProvider): WeightProvider => ({ ...p, fileRange: () => undefined });
    const every = async (p: WeightProvider) => {
      const t0 = performance.now();
      for (const n of p.names()) await p.float32(n);
      return (performance.now() - t0) / 1000;
    };
    const viaKernel = await every(mergeProvider({ mode: 'weighted_sum', a: pa, b: pb, ratio: () => 0.7 }));
    const viaJs = await every(mergeProvider({ mode: 'weighted_sum', a: inMemory(pa), b: inMemory(pb), ratio: () => 0.7 }));
    line(
      'MergeCheckpoints float32() of every tensor',
      `${viaKernel.toFixed(1)} s through the kernel (${(params / 1e6 / viaKernel).toFixed(0)} M params/s); ${viaJs.toFixed(1)} s on the JS path (${(params / 1e6 / viaJs).toFixed(0)} M params/s)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
