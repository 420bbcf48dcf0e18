/**
 * `latentloom serve [--no-ui] [--workers N] [--host H] [--port P] [--models-dir D] ...`: the HTTP server
 * (what `npm start` runs). `--workers 0` with LOOM_DATABASE_URL: an API process only, jobs run on
 * `latentloom worker`s elsewhere.
 */
import type { Command } from 'commander';
import { parseWorkerCount, startServe } from '../../http/serve';
import { UsageError } from '../errors';

interface ServeCliOptions {
  ui: boolean;
  workers?: string;
  host?: string;
  port?: string;
  modelsDir?: string;
  inputDir?: string;
  outputDir?: string;
  workflowsDir?: string;
  stateDir?: string;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the editor and API; runs jobs on local workers and/or `latentloom worker`s')
    .option('--no-ui', 'API only (no editor)')
    .option('--workers <n>', 'execution workers in this process (0: none; default 1 or LOOM_WORKERS)')
    .option('--host <host>', 'address to bind (default HOST or 127.0.0.1)')
    .option('--port <port>', 'port (default PORT or 3000; 0: any free one)')
    .option('--models-dir <dir>', 'models folder')
    .option('--input-dir <dir>', 'input folder')
    .option('--output-dir <dir>', 'output folder')
    .option('--workflows-dir <dir>', 'workflow library folder')
    .option('--state-dir <dir>', 'embedded store folder (when LOOM_DATABASE_URL is not set)')
    .action(async (o: ServeCliOptions) => {
      const port = Number(o.port ?? process.env.PORT ?? 3000);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${o.port}: expected 0-65535`);
      let workers: number;
      try {
        workers = parseWorkerCount(o.workers ?? process.env.LOOM_WORKERS);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const { stop } = await startServe({
        ui: o.ui && process.env.LOOM_NO_UI !== '1',
        host: o.host ?? process.env.HOST ?? '127.0.0.1',
        port,
        workers,
        modelsDir: o.modelsDir,
        inputDir: o.inputDir,
        outputDir: o.outputDir,
        workflowsDir: o.workflowsDir,
        stateDir: o.stateDir,
      });
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await stop();
    });
}
