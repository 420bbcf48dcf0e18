import type { Command } from 'commander';
import { basename, resolve } from 'node:path';
import { openCheckpointFile } from '../../runtime/io/checkpoint-file';
import { float32ToF16, toFloat32 } from '../../runtime/io/dtype';
import { writeSafetensors, type TensorEntry } from '../../runtime/io/safetensors-write';
import type { DType, TensorRef } from '../../runtime/io/tensor';
import { EXTRA_KINDS } from '../../runtime/checkpoint/families';
import { UsageError } from '../errors';
import { humanBytes } from '../format';

const FLOAT: ReadonlySet<DType> = new Set(['F32', 'F64', 'BF16', 'F16']);

export interface ConvertOptions {
  fp16?: boolean;
  /** drop EMA weights and optimizer tensors */
  prune?: boolean;
}

export async function convertFile(input: string, output: string, opts: ConvertOptions): Promise<{ tensors: number; bytes: number; dropped: number }> {
  if (!output.endsWith('.safetensors')) throw new UsageError(`output must be a .safetensors file: ${output}`);
  if (resolve(input) === resolve(output)) throw new UsageError('output would overwrite the input');
  const src = await openCheckpointFile(input);
  const entries: TensorEntry[] = [];
  let dropped = 0;
  for (const t of src.tensors.values()) {
    if (opts.prune && EXTRA_KINDS.some((e) => t.name.startsWith(e.prefix))) {
      dropped++;
      continue;
    }
    const dtype: DType = opts.fp16 && FLOAT.has(t.dtype) ? 'F16' : t.dtype;
    entries.push({ name: t.name, dtype, shape: t.shape, data: () => bytesAs(t, dtype) });
  }
  const metadata: Record<string, string> = {
    ...src.metadata,
    'latentloom.convert': JSON.stringify({ from: basename(input), format: src.format, fp16: !!opts.fp16, prune: !!opts.prune }),
  };
  if (!metadata.format) metadata.format = 'pt';
  const r = await writeSafetensors(output, entries, metadata);
  return { ...r, dropped };
}

async function bytesAs(t: TensorRef, dtype: DType): Promise<Uint8Array> {
  const raw = await t.read();
  if (dtype === t.dtype) return raw;
  return new Uint8Array(float32ToF16(toFloat32(raw, t.dtype)).buffer);
}

export function register(program: Command): void {
  program
    .command('convert')
    .description('rewrite a .ckpt/.pt/.safetensors checkpoint as .safetensors')
    .argument('<in>', 'source checkpoint')
    .argument('<out>', 'destination .safetensors')
    .option('--fp16', 'store float tensors as fp16')
    .option('--prune', 'drop EMA weights and optimizer tensors')
    .action(async (input: string, output: string, opts: ConvertOptions) => {
      const r = await convertFile(input, output, opts);
      process.stdout.write(`wrote ${output}: ${r.tensors} tensors, ${humanBytes(r.bytes)}${r.dropped ? `, dropped ${r.dropped}` : ''}\n`);
    });
}
