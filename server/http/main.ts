/**
 * Entry point: `tsx server/http/main.ts [--no-ui] [--models-dir D] [--input-dir D] [--output-dir D] [--workflows-dir D]`.
 * Binds 127.0.0.1:3000 unless HOST/PORT say otherwise. Any other address needs a token
 * (LOOM_API_TOKEN, or one generated and printed here); every interface (0.0.0.0) needs LOOM_API_TOKEN.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolvePaths } from '../config/paths';
import { Engine } from '../scheduler/engine';
import { createWorkerExecutor } from '../scheduler/worker-executor';
import { readLimits } from '../api/limits';
import { AccessConfigError, accessPolicy, signInUrl } from './access';
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
  const host = process.env.HOST ?? '127.0.0.1';
  // refuse an unsafe setup before anything is loaded or bound
  const access = accessPolicy(host);
  const limits = readLimits();
  const paths = resolvePaths({
    modelsDir: values['models-dir'], extraModelPaths: values['extra-model-paths'], inputDir: values['input-dir'], outputDir: values['output-dir'],
    workflowsDir: values['workflows-dir'], stateDir: values['state-dir'],
  });
  const engine = new Engine({ paths, executor: createWorkerExecutor(paths) });
  const ui = values['no-ui'] || process.env.LOOM_NO_UI === '1' ? undefined : await loadUi();
  const server = createLoomServer({ engine, paths, ui, access, limits });
  const port = Number(process.env.PORT ?? 3000);
  server.listen(port, host, () => {
    const addr = server.address();
    const actual = typeof addr === 'object' && addr ? addr.port : port;
    const base = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
    console.log(`Latent Loom listening on ${base} (models: ${paths.models}, output: ${paths.output})`);
    if (access.tokenSource === 'generated') {
      console.log(`API token (generated for this run; set LOOM_API_TOKEN to keep one): ${access.token}`);
      console.log(`Open ${signInUrl(access, base)} once in your browser to sign in; API clients send "Authorization: Bearer <token>".`);
    } else if (access.tokenSource === 'env') {
      console.log(`Token required (LOOM_API_TOKEN): open ${base}/?token=<LOOM_API_TOKEN> once in your browser; API clients send "Authorization: Bearer <token>".`);
    }
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
  // configuration refusals are one clear line, not a stack trace
  console.error(e instanceof AccessConfigError || (e instanceof Error && /^LOOM_\w+=/.test(e.message)) ? `Latent Loom: ${e.message}` : e);
  process.exit(1);
});
