/**
 * `latentloom run wf.json [--set node.param=value ...] [--out DIR] [--server URL] [--models-dir D] [--input-dir D] [--output-dir D]`
 * Runs a Latent Loom or ComfyUI workflow in-process, or submits it to a running server.
 * Progress goes to stderr, written file paths to stdout. Exit 1: invalid workflow; 2: the job failed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CommanderError, type Command } from 'commander';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { ParamValue } from '../../../nodes/types';
import type { AppRouter } from '../../api/root';
import { readJobEvents } from '../../api/sse-client';
import { resolvePaths } from '../../config/paths';
import { Engine } from '../../scheduler/engine';
import { formatValidationError, WorkflowInvalidError, type ValidationError } from '../../scheduler/errors';
import type { JobEvent } from '../../scheduler/events';
import { createInProcessExecutor } from '../../scheduler/inprocess-executor';
import { parseSetArg } from '../../scheduler/overrides';

interface RunOptions {
  set: string[];
  out?: string;
  server?: string;
  modelsDir?: string;
  extraModelPaths?: string;
  inputDir?: string;
  stateDir?: string;
}

export function register(program: Command): void {
  program
    .command('run')
    .description('run a workflow (Latent Loom or ComfyUI JSON) headlessly')
    .argument('<workflow>', 'workflow JSON file')
    .option('--set <node.param=value>', 'override a parameter (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--out <dir>', 'output folder (default ./output or LOOM_OUTPUT_DIR)')
    .option('--output-dir <dir>', 'same as --out')
    .option('--server <url>', 'submit to a running server instead of running in-process')
    .option('--models-dir <dir>', 'models folder (a ComfyUI models/ folder works as is)')
    .option('--extra-model-paths <file>', "more model folders, in ComfyUI's extra_model_paths.yaml format")
    .option('--input-dir <dir>', 'input folder')
    .action(async (file: string, opts: RunOptions & { outputDir?: string }) => {
      const code = await runCommand(file, { ...opts, out: opts.out ?? opts.outputDir });
      // the messages are already on stderr; CommanderError carries the exit code through main() silently
      if (code !== 0) throw new CommanderError(code, code === 1 ? 'latentloom.run.invalid' : 'latentloom.run.failed', '');
    });
}

export async function runCommand(file: string, opts: RunOptions): Promise<number> {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    process.stderr.write(`Cannot read ${file}: ${(e as Error).message}\n`);
    return 1;
  }
  const overrides: Record<string, ParamValue> = {};
  try {
    for (const s of opts.set) {
      const [k, v] = parseSetArg(s);
      overrides[k] = v;
    }
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
  return opts.server ? runRemote(opts.server.replace(/\/$/, ''), json, overrides, opts.out) : runLocal(json, overrides, opts);
}

function printErrors(errors: readonly ValidationError[]): void {
  for (const e of errors) process.stderr.write(`  ${formatValidationError(e)}\n`);
}

async function runLocal(json: unknown, overrides: Record<string, ParamValue>, opts: RunOptions): Promise<number> {
  const paths = resolvePaths({ modelsDir: opts.modelsDir, extraModelPaths: opts.extraModelPaths, inputDir: opts.inputDir, outputDir: opts.out });
  const engine = new Engine({ paths, executor: createInProcessExecutor(paths), durable: false });
  const progress = new Progress();
  const stream = engine.events.subscribe(null);
  try {
    const { job, warnings } = await engine.enqueue(json, overrides);
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    for await (const e of stream) {
      if (e.jobId !== job.id) continue;
      progress.show(e);
      if (e.type === 'job.finished') {
        for (const f of e.files) process.stdout.write(`${path.join(paths.output, f.path)}\n`);
        return 0;
      }
      if (e.type === 'job.failed' || e.type === 'job.cancelled') return 2;
    }
    return 2;
  } catch (e) {
    if (!(e instanceof WorkflowInvalidError)) throw e;
    process.stderr.write('Workflow is invalid:\n');
    printErrors(e.errors);
    return 1;
  } finally {
    await stream.return(undefined);
    await engine.close();
  }
}

async function runRemote(url: string, json: unknown, overrides: Record<string, ParamValue>, out?: string): Promise<number> {
  const api = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/api/trpc` })] });
  let id: string;
  try {
    const r = await api.jobs.enqueue.mutate({ workflow: json, overrides });
    id = r.id;
    for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
  } catch (e) {
    const data = e instanceof TRPCClientError ? (e.data as { validationErrors?: ValidationError[] | null } | undefined) : undefined;
    if (!data?.validationErrors) throw e;
    process.stderr.write('Workflow is invalid:\n');
    printErrors(data.validationErrors);
    return 1;
  }
  process.stderr.write(`queued job ${id} on ${url}\n`);
  const progress = new Progress();
  const ac = new AbortController();
  try {
    for await (const e of readJobEvents(url, { jobId: id, lastEventId: '0' }, ac.signal)) {
      progress.show(e);
      if (e.type === 'job.finished') {
        for (const f of e.files) process.stdout.write(out ? `${await download(url, f.path, out)}\n` : `${url}/outputs/${f.path}\n`);
        return 0;
      }
      if (e.type === 'job.failed' || e.type === 'job.cancelled') return 2;
    }
    return 2;
  } finally {
    ac.abort();
  }
}

async function download(url: string, rel: string, outDir: string): Promise<string> {
  const res = await fetch(`${url}/outputs/${rel.split('/').map(encodeURIComponent).join('/')}`);
  if (!res.ok) throw new Error(`download ${rel}: HTTP ${res.status}`);
  const target = path.join(outDir, path.basename(rel));
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(target, Buffer.from(await res.arrayBuffer()));
  return target;
}

/** One line per event, or a redrawn bar for sampler steps on a terminal. */
class Progress {
  private readonly tty = process.stderr.isTTY === true;
  private barShown = false;

  show(e: JobEvent): void {
    if (e.type === 'node.progress' && e.stage) {
      const line = `${e.nodeId} ${e.stage} (${e.step}/${e.total})`;
      if (this.tty) {
        process.stderr.write(`\r${line}`);
        this.barShown = true;
      } else process.stderr.write(`${line}\n`);
      return;
    }
    if (e.type === 'node.progress') {
      const width = 24;
      const filled = Math.round((e.step / e.total) * width);
      const line = `${e.nodeId} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${e.step}/${e.total}`;
      if (this.tty) {
        process.stderr.write(`\r${line}`);
        this.barShown = true;
      } else process.stderr.write(`${line}\n`);
      return;
    }
    if (this.barShown) {
      process.stderr.write('\n');
      this.barShown = false;
    }
    const text = describe(e);
    if (text) process.stderr.write(`${text}\n`);
  }
}

function describe(e: JobEvent): string | null {
  switch (e.type) {
    case 'job.started':
      return 'started';
    case 'node.started':
      return `running ${e.nodeId}`;
    case 'node.cached':
      return `cached  ${e.nodeId}`;
    case 'node.warning':
      return `warning ${e.nodeId}: ${e.message}`;
    case 'node.finished':
      return `done    ${e.nodeId} (${e.ms} ms)`;
    case 'job.finished':
      return `finished in ${e.ms} ms`;
    case 'job.failed':
      return `FAILED${e.error.nodeId ? ` at ${e.error.nodeId}` : ''}: ${e.error.message}`;
    case 'job.cancelled':
      return 'cancelled';
    default:
      return null;
  }
}
