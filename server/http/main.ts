/**
 * Entry point: `tsx server/http/main.ts [--no-ui] [--workers N] [--models-dir D] [--extra-model-paths F] [--input-dir D] [--output-dir D] [--workflows-dir D] [--state-dir D]`.
 * Binds 127.0.0.1:3000 unless HOST/PORT say otherwise. Any other address needs a token (LOOM_API_TOKEN, or one
 * generated and printed here); every interface (0.0.0.0) needs LOOM_API_TOKEN. `latentloom serve` is the same with a CLI around it.
 */
import { parseArgs } from 'node:util';
import { AccessConfigError } from './access';
import { parseWorkerCount, startServe } from './serve';

const { values } = parseArgs({
  options: {
    'no-ui': { type: 'boolean', default: false },
    workers: { type: 'string' },
    'models-dir': { type: 'string' },
    'extra-model-paths': { type: 'string' },
    'input-dir': { type: 'string' },
    'output-dir': { type: 'string' },
    'workflows-dir': { type: 'string' },
    'state-dir': { type: 'string' },
  },
});

async function main(): Promise<void> {
  const { stop } = await startServe({
    ui: !(values['no-ui'] || process.env.LOOM_NO_UI === '1'),
    host: process.env.HOST ?? '127.0.0.1',
    port: Number(process.env.PORT ?? 3000),
    workers: parseWorkerCount(values.workers ?? process.env.LOOM_WORKERS),
    modelsDir: values['models-dir'],
    extraModelPaths: values['extra-model-paths'],
    inputDir: values['input-dir'],
    outputDir: values['output-dir'],
    workflowsDir: values['workflows-dir'],
    stateDir: values['state-dir'],
  });
  const shutdown = async () => {
    await stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

main().catch((e: unknown) => {
  // configuration refusals are one clear line, not a stack trace
  console.error(
    e instanceof AccessConfigError || (e instanceof Error && /^LOOM_\w+=/.test(e.message))
      ? `Latent Loom: ${e.message}`
      : e instanceof Error
        ? `Latent Loom could not start: ${e.message}`
        : e,
  );
  process.exit(1);
});
