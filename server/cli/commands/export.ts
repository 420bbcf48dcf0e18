/** `latentloom export wf.json --format comfy-ui|comfy-api|latentloom [--out FILE]`: a workflow in ComfyUI's formats. */
import fs from 'node:fs';
import type { Command } from 'commander';
import { REGISTRY } from '../../../nodes/registry';
import { toComfyApi, toComfyUi } from '../../../nodes/workflow/comfy/export';
import { loadAnyWorkflow } from '../../../nodes/workflow/load';
import { UsageError } from '../errors';

const FORMATS = ['comfy-ui', 'comfy-api', 'latentloom'] as const;
type Format = (typeof FORMATS)[number];

export function register(program: Command): void {
  program
    .command('export')
    .description("write a workflow in ComfyUI's UI (editor) or API (prompt) format, or as a current Latent Loom file")
    .argument('<workflow>', 'workflow JSON file (any format Latent Loom reads)')
    .requiredOption('--format <format>', FORMATS.join(' | '))
    .option('--out <file>', 'output file (default: stdout)')
    .action((file: string, opts: { format: string; out?: string }) => {
      if (!(FORMATS as readonly string[]).includes(opts.format))
        throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${opts.format}"`);
      let json: unknown;
      try {
        json = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (e) {
        throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
      }
      const { workflow, warnings } = loadAnyWorkflow(json, REGISTRY.schemas);
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      const format = opts.format as Format;
      const out =
        format === 'comfy-ui' ? toComfyUi(workflow, REGISTRY.schemas) : format === 'comfy-api' ? toComfyApi(workflow, REGISTRY.schemas) : workflow;
      const text = `${JSON.stringify(out, null, 2)}\n`;
      if (opts.out) fs.writeFileSync(opts.out, text);
      else process.stdout.write(text);
    });
}
