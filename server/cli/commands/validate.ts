/**
 * `latentloom validate wf.json [--models-dir D] [--input-dir I] [--json]`: the server's validator, offline.
 * Exit 0 when the workflow would run; 1 with every problem listed otherwise.
 */
import fs from 'node:fs';
import { CommanderError, type Command } from 'commander';
import { REGISTRY } from '../../../nodes/registry';
import { loadAnyWorkflow } from '../../../nodes/workflow/load';
import { WorkflowFormatError } from '../../../nodes/workflow/migrate';
import { resolvePaths } from '../../config/paths';
import { resolveModelNames, diskValidationEnv } from '../../scheduler/environment';
import { formatValidationError, type ValidationError } from '../../scheduler/errors';
import { validateWorkflow } from '../../scheduler/validate';
import { UsageError } from '../errors';

interface Options {
  modelsDir?: string;
  extraModelPaths?: string;
  inputDir?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('validate')
    .description('check that a workflow (Latent Loom or ComfyUI JSON, or a PNG carrying one) would run, listing every problem')
    .argument('<workflow>', 'workflow JSON file')
    .option('--models-dir <dir>', 'models folder (a ComfyUI models/ folder works as is)')
    .option('--extra-model-paths <file>', "more model folders, in ComfyUI's extra_model_paths.yaml format")
    .option('--input-dir <dir>', 'input folder')
    .option('--json', 'print {ok, errors, warnings} as JSON')
    .action(async (file: string, opts: Options) => {
      const code = await validateCommand(file, opts);
      if (code !== 0) throw new CommanderError(code, 'latentloom.validate.invalid', '');
    });
}

export async function validateCommand(file: string, opts: Options): Promise<number> {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const paths = resolvePaths({ modelsDir: opts.modelsDir, extraModelPaths: opts.extraModelPaths, inputDir: opts.inputDir });
  let errors: ValidationError[];
  let warnings: string[] = [];
  try {
    const loaded = loadAnyWorkflow(json, REGISTRY.schemas);
    const resolved = await resolveModelNames(loaded.workflow, REGISTRY.schemas, paths);
    warnings = [...loaded.warnings, ...resolved.notes];
    errors = validateWorkflow(resolved.workflow, REGISTRY.schemas, diskValidationEnv(paths));
  } catch (e) {
    if (!(e instanceof WorkflowFormatError)) throw e;
    errors = (e.issues.length > 0 ? e.issues : [e.message]).map((message) => ({ code: 'INVALID_WORKFLOW' as const, nodeId: null, message }));
  }
  if (opts.json) process.stdout.write(`${JSON.stringify({ ok: errors.length === 0, errors, warnings }, null, 2)}\n`);
  else {
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    if (errors.length === 0) process.stdout.write(`${file}: ok\n`);
    else {
      process.stdout.write(`${file}: ${errors.length} problem${errors.length === 1 ? '' : 's'}\n`);
      for (const e of errors) process.stdout.write(`  ${formatValidationError(e)}\n`);
    }
  }
  return errors.length === 0 ? 0 : 1;
}
