import type { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { CheckpointError } from '../../runtime/checkpoint/errors';
import { autoV2, cachedSha256 } from '../../runtime/checkpoint/hash';
import { loadCheckpoint, type Checkpoint } from '../../runtime/checkpoint/load';
import { numel, type StateDict } from '../../runtime/io/tensor';
import { humanBytes, humanCount } from '../format';
import { describeLora, formatLoraDescription } from './inspect-lora';

export interface InspectReport {
  file: string;
  bytes: number;
  format: Checkpoint['format'];
  family: Checkpoint['family'];
  variant: Checkpoint['variant'];
  prediction: Checkpoint['prediction'];
  predictionSource: Checkpoint['predictionSource'];
  components: Record<string, { prefix: string; tensors: number; parameters: number; dtypes: Record<string, number> }>;
  /** 'full' when EMA weights or optimizer state are present, else 'pruned' */
  training: 'full' | 'pruned';
  ema: { tensors: number; parameters: number };
  optimizer: string[];
  otherTensors: string[];
  trainingState: Checkpoint['trainingState'];
  metadata: Record<string, string>;
  sha256?: string;
  autoV2?: string;
}

function summarise(dict: StateDict): { tensors: number; parameters: number; dtypes: Record<string, number> } {
  const dtypes: Record<string, number> = {};
  let parameters = 0;
  for (const t of dict.values()) {
    parameters += numel(t.shape);
    dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + 1;
  }
  return { tensors: dict.size, parameters, dtypes };
}

export async function inspectFile(file: string, hash: boolean): Promise<InspectReport> {
  const ck = await loadCheckpoint(file);
  const components: InspectReport['components'] = {};
  for (const [name, dict] of Object.entries(ck.components)) {
    components[name] = { prefix: ck.componentPrefixes[name as keyof typeof ck.componentPrefixes]!, ...summarise(dict!) };
  }
  const emaParams = ck.extras.ema.reduce((n, k) => n + numel(ck.tensors.get(k)!.shape), 0);
  // LitEma's decay and num_updates scalars stay in pruned releases; EMA *weights* make a file "full"
  const emaWeights = ck.extras.ema.filter((k) => ck.tensors.get(k)!.shape.length > 0).length;
  const sha256 = hash ? await cachedSha256(file) : undefined;
  return {
    file,
    bytes: (await stat(file)).size,
    format: ck.format,
    family: ck.family,
    variant: ck.variant,
    prediction: ck.prediction,
    predictionSource: ck.predictionSource,
    components,
    training: emaWeights > 0 || ck.extras.optimizer.length > 0 ? 'full' : 'pruned',
    ema: { tensors: ck.extras.ema.length, parameters: emaParams },
    optimizer: ck.extras.optimizer,
    otherTensors: ck.extras.other,
    trainingState: ck.trainingState,
    metadata: ck.metadata,
    ...(sha256 ? { sha256, autoV2: autoV2(sha256) } : {}),
  };
}

function printText(r: InspectReport): void {
  const lines = [
    `file        ${r.file} (${humanBytes(r.bytes)})`,
    `format      ${r.format}`,
    `family      ${r.family}  variant ${r.variant}  prediction ${r.prediction} (${r.predictionSource})`,
    'components',
    ...Object.entries(r.components).map(
      ([name, c]) =>
        `  ${name.padEnd(7)} ${humanCount(c.parameters).padStart(8)} params  ${String(c.tensors).padStart(4)} tensors  ${Object.entries(c.dtypes)
          .map(([d, n]) => `${d}×${n}`)
          .join(' ')}  (${c.prefix}*)`,
    ),
    `training    ${r.training}  (EMA tensors ${r.ema.tensors} / ${humanCount(r.ema.parameters)} params; optimizer ${r.optimizer.length ? r.optimizer.join(', ') : 'none'})`,
    `other       ${r.otherTensors.length} tensors${r.otherTensors.length ? `: ${r.otherTensors.slice(0, 6).join(', ')}${r.otherTensors.length > 6 ? ', …' : ''}` : ''}`,
  ];
  const state = Object.entries(r.trainingState);
  if (state.length)
    lines.push(
      `state       ${state.map(([k, v]) => `${k}=${typeof v === 'object' && v ? `${v.kind}(${v.items} items, ${v.tensors} tensors)` : String(v)}`).join('  ')}`,
    );
  const meta = Object.entries(r.metadata);
  if (meta.length) lines.push('metadata', ...meta.map(([k, v]) => `  ${k}: ${v.length > 100 ? `${v.slice(0, 100)}… (${v.length} chars)` : v}`));
  if (r.sha256) lines.push(`sha256      ${r.sha256}`, `AutoV2      ${r.autoV2}`);
  process.stdout.write(lines.join('\n') + '\n');
}

export function register(program: Command): void {
  program
    .command('inspect')
    .description('show what a checkpoint holds: format, family, components, training extras, hashes')
    .argument('<file>', '.safetensors or .ckpt/.pt checkpoint')
    .option('--json', 'print a JSON report')
    .option('--no-hash', 'skip the sha256 / AutoV2 hash (reads the whole file once, then cached)')
    .action(async (file: string, opts: { json?: boolean; hash: boolean }) => {
      let report: InspectReport;
      try {
        report = await inspectFile(file, opts.hash);
      } catch (e) {
        // not a model checkpoint: it may be a LoRA, which has its own description
        if (!(e instanceof CheckpointError)) throw e;
        const lora = await describeLora(file).catch(() => undefined);
        if (!lora || lora.modules === 0) throw e;
        process.stdout.write(opts.json ? JSON.stringify({ file, kind: 'lora', ...lora }, null, 2) + '\n' : formatLoraDescription(lora) + '\n');
        return;
      }
      if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else printText(report);
    });
}
