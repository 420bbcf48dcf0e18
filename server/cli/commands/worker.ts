/**
 * `latentloom worker [--models-dir D] [--input-dir D] [--output-dir D] [--id NAME] [--in-process]`
 * A GPU (or CPU) worker for a shared PostgreSQL store (LOOM_DATABASE_URL): claims jobs, runs them with
 * this host's models, writes outputs to the output folder the API processes serve (a shared mount).
 * SIGTERM/SIGINT: stops claiming, gives a running job back to the queue, exits 0.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { Command } from 'commander';
import { REGISTRY } from '../../../nodes/registry';
import { resolvePaths } from '../../config/paths';
import { DEFAULT_MODEL_BUDGET, createInProcessExecutor } from '../../scheduler/inprocess-executor';
import { queueSettingsFromEnv } from '../../scheduler/queue-settings';
import { createWorkerExecutor } from '../../scheduler/worker-executor';
import { isTransientStoreError } from '../../store/errors';
import { databaseUrlFromEnv, openStore } from '../../store/open';
import { redact } from '../../store/postgres';
import type { StoreHandle } from '../../store/types';
import { startReaper } from '../../worker/reaper';
import { WorkerLoop } from '../../worker/worker-loop';
import { UsageError } from '../errors';

interface WorkerOptions {
  modelsDir?: string;
  inputDir?: string;
  outputDir?: string;
  id?: string;
  inProcess?: boolean;
  connectTimeout: string;
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('run jobs from the shared PostgreSQL queue (LOOM_DATABASE_URL) on this host')
    .option('--models-dir <dir>', 'models folder on this host (models are found by name, else by sha256)')
    .option('--input-dir <dir>', 'input folder (shared with the API processes)')
    .option('--output-dir <dir>', 'output folder (shared with the API processes, which serve it)')
    .option('--id <name>', 'worker id shown in history (default host-pid-random)')
    .option('--in-process', 'run nodes on the main thread instead of a worker thread')
    .option('--connect-timeout <seconds>', 'give up if the database is unreachable this long at start', '60')
    .action(async (opts: WorkerOptions) => runWorker(opts));
}

async function connect(url: string, timeoutS: number): Promise<StoreHandle> {
  const deadline = Date.now() + timeoutS * 1000;
  for (let said = false; ; said = true) {
    try {
      return await openStore({ databaseUrl: url, stateDir: null, events: null, poolSize: 4 });
    } catch (e) {
      if (!isTransientStoreError(e) || Date.now() > deadline) throw e;
      if (!said) process.stderr.write(`waiting for the database at ${redact(url)} ...\n`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

export async function runWorker(opts: WorkerOptions): Promise<void> {
  const url = databaseUrlFromEnv();
  if (!url)
    throw new UsageError(
      'latentloom worker needs the shared store: set LOOM_DATABASE_URL=postgres://… (the embedded SQLite store serves one process; use `latentloom serve --workers N` there).',
    );
  const timeoutS = Number(opts.connectTimeout);
  if (!Number.isFinite(timeoutS) || timeoutS < 0) throw new UsageError(`--connect-timeout ${opts.connectTimeout}: expected seconds`);
  if (opts.id !== undefined && !/^[\w.:-]{1,100}$/.test(opts.id)) throw new UsageError(`--id ${opts.id}: use letters, digits, . : _ - (at most 100)`);
  const settings = queueSettingsFromEnv();
  const paths = resolvePaths({ modelsDir: opts.modelsDir, inputDir: opts.inputDir, outputDir: opts.outputDir });
  const handle = await connect(url, timeoutS);
  const executor = opts.inProcess ? createInProcessExecutor(paths) : createWorkerExecutor(paths);
  const id = opts.id ?? `${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const loop = new WorkerLoop({
    id,
    store: handle.store,
    notifier: handle.notifier,
    executor,
    paths,
    schemas: REGISTRY.schemas,
    leaseMs: settings.leaseMs,
    retries: settings.retries,
    pollMs: settings.pollMs,
    modelBudgetBytes: DEFAULT_MODEL_BUDGET,
    placement: { stealAfter: settings.stealAfter, stealAfterMs: settings.stealAfterMs, fifo: settings.fifo },
    log,
  });
  const stopReaper = startReaper(handle, { leaseMs: settings.leaseMs, retries: settings.retries, log });
  loop.start();
  process.stdout.write(`worker ${id} ready (store: postgres ${redact(url)}, models: ${paths.models}, output: ${paths.output})\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  stopReaper();
  const stopping = loop.stop();
  await executor.close();
  await stopping;
  await handle.notifier.close();
  await handle.store.close();
  process.stdout.write(`worker ${id} stopped after ${loop.completed} job(s)\n`);
}
