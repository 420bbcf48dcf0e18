import type { Command } from 'commander';
import { mergeCheckpointFiles } from '../../runtime/checkpoint/merge';
import type { MergeMode } from '../../runtime/checkpoint/merge-ratios';
import { UsageError } from '../errors';
import { humanBytes, parseNumber, parseNumberList } from '../format';

interface MergeCliOptions {
  a: string;
  b: string;
  c?: string;
  mode: string;
  alpha?: number;
  multiplier?: number;
  unet?: number;
  clip?: number;
  vae?: number;
  blocks?: number[];
  out: string;
  fp16?: boolean;
  hash: boolean;
}

export function register(program: Command): void {
  program
    .command('merge')
    .description('merge checkpoints: weighted sum (1-α)·A + α·B or add difference A + m·(B−C)')
    .requiredOption('--a <file>', 'model A (its keys and non-model tensors are kept)')
    .requiredOption('--b <file>', 'model B')
    .option('--c <file>', 'model C (add-difference only)')
    .option('--mode <mode>', 'weighted | add-difference', 'weighted')
    .option('--alpha <n>', 'weighted: share of B', parseNumber)
    .option('--multiplier <n>', 'add-difference: multiplier of (B − C)', parseNumber)
    .option('--unet <n>', 'ratio for the UNet', parseNumber)
    .option('--clip <n>', 'ratio for the text encoder(s)', parseNumber)
    .option('--vae <n>', 'ratio for the VAE', parseNumber)
    .option('--blocks <list>', 'UNet per-block ratios, comma separated (25 for SD1/SD2, 19 for SDXL)', parseNumberList)
    .requiredOption('--out <file>', 'output .safetensors')
    .option('--fp16', 'write fp16 (default fp32)')
    .option('--no-hash', 'do not record source sha256s in the metadata')
    .action(async (o: MergeCliOptions) => {
      if (o.mode !== 'weighted' && o.mode !== 'add-difference') throw new UsageError(`--mode must be weighted or add-difference, not "${o.mode}"`);
      const mode: MergeMode = o.mode;
      if (!o.out.endsWith('.safetensors')) throw new UsageError(`--out must be a .safetensors file: ${o.out}`);
      const base = mode === 'weighted' ? o.alpha : o.multiplier;
      if (mode === 'weighted' && o.multiplier !== undefined) throw new UsageError('--multiplier is for add-difference; use --alpha');
      if (mode === 'add-difference' && o.alpha !== undefined) throw new UsageError('--alpha is for weighted; use --multiplier');
      if (base === undefined && [o.unet, o.clip, o.vae].some((v) => v === undefined)) {
        throw new UsageError(
          mode === 'weighted'
            ? '--alpha is required (or all of --unet, --clip and --vae)'
            : '--multiplier is required (or all of --unet, --clip and --vae)',
        );
      }
      const t0 = performance.now();
      const r = await mergeCheckpointFiles({
        a: o.a,
        b: o.b,
        c: o.c,
        mode,
        ratios: { base: base ?? 0, unet: o.unet, textEncoder: o.clip, vae: o.vae, blocks: o.blocks },
        out: o.out,
        dtype: o.fp16 ? 'F16' : 'F32',
        hashSources: o.hash,
      });
      const s = (performance.now() - t0) / 1000;
      process.stdout.write(
        `wrote ${r.out}: ${r.tensors} tensors (${r.merged} merged, ${r.copiedFromA.length} from A, ${r.droppedFromB} only in B dropped), ${humanBytes(r.bytes)} in ${s.toFixed(1)} s\n`,
      );
    });
}
