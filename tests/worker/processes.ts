/** Starts `latentloom worker` processes on loopback for the scale-out tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { golden } from '../helpers/golden';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface WorkerProcess {
  id: string;
  proc: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startWorker(dataDir: string, id: string, env: Record<string, string>, args: string[] = []): Promise<WorkerProcess> {
  // node --import tsx straight on the CLI module: SIGKILL reaches the worker itself
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/cli/main.ts', 'worker', '--id', id, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOOM_DATA_DIR: dataDir, LOOM_CACHE_DIR: path.join(dataDir, '.cache'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${id} did not start:\n${log}`)), 60_000);
    const onData = (b: Buffer) => {
      log += b.toString();
      if (log.includes(`worker ${id} ready`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`worker ${id} exited (${code}):\n${log}`)));
  });
  return {
    id,
    proc,
    output: () => log,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill(signal);
      }),
  };
}

/** A data folder with three distinct checkpoints (two tiny SD1, one tiny SDXL) and the CLIP vocabulary. */
export function dataDirWithModels(dir: string): { checkpoints: string[] } {
  fs.mkdirSync(path.join(dir, 'models', 'checkpoints'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'models', 'clip'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'input'), { recursive: true });
  const links: [string, string][] = [
    ['sd1-a.safetensors', golden('tiny-sd1', 'model.safetensors')],
    ['sd1-b.safetensors', golden('tiny-sd1', 'model_b.safetensors')],
    ['sdxl.safetensors', golden('tiny-sdxl', 'model.safetensors')],
  ];
  for (const [name, target] of links) fs.symlinkSync(target, path.join(dir, 'models', 'checkpoints', name));
  fs.symlinkSync(golden('clip', 'bpe_simple_vocab_16e6.txt.gz'), path.join(dir, 'models', 'clip', 'bpe_simple_vocab_16e6.txt.gz'));
  return { checkpoints: links.map(([n]) => n) };
}

/** Checkpoint → VAEDecode of an empty latent → SaveImage: loads the model, costs little. */
export const decodeWorkflow = (checkpoint: string) => ({
  format: 'latentloom.workflow',
  version: 1,
  nodes: {
    ckpt: { type: 'LoadCheckpoint', params: { file: checkpoint } },
    latent: { type: 'EmptyLatent', params: { width: 64, height: 64, batch_size: 1 } },
    decode: { type: 'VAEDecode', inputs: { samples: { node: 'latent', output: 'latent' }, vae: { node: 'ckpt', output: 'vae' } } },
    save: { type: 'SaveImage', params: { filename_prefix: 'placed/img' }, inputs: { images: { node: 'decode', output: 'image' } } },
  },
});

/** A few-step tiny-sd1 text-to-image. */
export const txt2imgWorkflow = (checkpoint: string, steps: number, prefix = 'txt2img/img') => ({
  format: 'latentloom.workflow',
  version: 1,
  nodes: {
    ckpt: { type: 'LoadCheckpoint', params: { file: checkpoint } },
    pos: { type: 'TextEncode', params: { text: 'a photo of a cat' }, inputs: { clip: { node: 'ckpt', output: 'clip' } } },
    neg: { type: 'TextEncode', params: { text: '' }, inputs: { clip: { node: 'ckpt', output: 'clip' } } },
    latent: { type: 'EmptyLatent', params: { width: 64, height: 64, batch_size: 1 } },
    sampler: {
      type: 'KSampler',
      params: { seed: 7, steps, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1 },
      inputs: {
        model: { node: 'ckpt', output: 'model' },
        positive: { node: 'pos', output: 'conditioning' },
        negative: { node: 'neg', output: 'conditioning' },
        latent_image: { node: 'latent', output: 'latent' },
      },
    },
    decode: { type: 'VAEDecode', inputs: { samples: { node: 'sampler', output: 'latent' }, vae: { node: 'ckpt', output: 'vae' } } },
    save: { type: 'SaveImage', params: { filename_prefix: prefix }, inputs: { images: { node: 'decode', output: 'image' } } },
  },
});

/** Files under output/<sub>, recursively. */
export function outputFiles(dataDir: string, sub: string): string[] {
  const base = path.join(dataDir, 'output', sub);
  if (!fs.existsSync(base)) return [];
  return (fs.readdirSync(base, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(base, f)).isFile());
}

/** EmptyLatent → SaveLatent under its own prefix: cheap, and each job writes its own file (no cache hit across jobs). */
export const latentJob = (prefix: string) => ({
  format: 'latentloom.workflow',
  version: 1,
  nodes: {
    latent: { type: 'EmptyLatent', params: { width: 64, height: 64, batch_size: 1 } },
    save: { type: 'SaveLatent', params: { filename_prefix: `latents/${prefix}` }, inputs: { samples: { node: 'latent', output: 'latent' } } },
  },
});
