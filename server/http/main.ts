/**
 * Entry point: `tsx server/http/main.ts [--no-ui] [--models-dir D] [--input-dir D] [--output-dir D] [--workflows-dir D]`.
 * Binds 127.0.0.1:3000 unless HOST/PORT say otherwise.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolvePaths } from '../config/paths';
import { Engine } from '../scheduler/engine';
import { createWorkerExecutor } from '../scheduler/worker-executor';
import { createLoomServer, type RequestHandler } from './server';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const { values } = parseArgs({
  options: {
    'no-ui': { type: 'boolean', default: false },
    'models-dir': { type: 'string' },
    'extra-model-paths': { type: 'string' },
    'input-dir': { type: 'string' },
    'output-dir': { type: 'string' },
    'workflows-dir': { type: 'string' },
    'state-dir': { type: 'string' },
  },
});

async function loadUi(): Promise<RequestHandler> {
  const { default: next } = await import('next');
  const app = next({ dev: false, dir: repoRoot });
  await app.prepare();
  const handle = app.getRequestHandler();
  return (req, res) => handle(req, res);
}

async function main(): Promise<void> {
  const paths = resolvePaths({
    modelsDir: values['models-dir'], extraModelPaths: values['extra-model-paths'], inputDir: values['input-dir'], outputDir: values['output-dir'],
    workflowsDir: values['workflows-dir'], stateDir: values['state-dir'],
  });
  const engine = new Engine({ paths, executor: createWorkerExecutor(paths) });
  const ui = values['no-ui'] || process.env.LOOM_NO_UI === '1' ? undefined : await loadUi();
  const server = createLoomServer({ engine, paths, ui });
  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.PORT ?? 3000);
  server.listen(port, host, () => {
    const addr = server.address();
    const actual = typeof addr === 'object' && addr ? addr.port : port;
    console.log(`Latent Loom listening on http://${host}:${actual} (models: ${paths.models}, output: ${paths.output})`);
    engine.start();
  });
  const stop = async () => {
    server.close();
    await engine.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
