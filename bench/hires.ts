/**
 * Hires fix end to end at SD1.5 size (random fp16 weights, the checkpoint first-image.ts keeps): txt2img 512x512,
 * LatentUpscale to 1024x1024 (nearest-exact), a second KSampler pass at denoise 0.5, VAE decode of 1024x1024.
 * Each node's wall time from the scheduler's events, and the process's peak RSS (VmHWM). Steps: LOOM_BENCH_HIRES_STEPS
 * (default 2 per pass; a real hires fix uses ~20, so per-step figures are what scale).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Workflow } from '../nodes/workflow/schema';
import { REGISTRY } from '../nodes/registry';
import { resolvePaths } from '../server/config/paths';
import { ModelCache } from '../server/runtime/model-cache';
import { sessionCache } from '../server/runtime/onnx/session-cache';
import { executeWorkflow } from '../server/scheduler/execute';
import { OutputCache } from '../server/scheduler/output-cache';
import { txt2img } from '../tests/scheduler/fixtures';
import { KEPT, writeCheckpoint } from './first-image';
import { figureLog, timed } from './lib/measure';

function peakRssGiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 2 ** 20 : Number.NaN;
}

function hiresWorkflow(steps: number): Workflow {
  const wf = txt2img(1);
  wf.nodes.ckpt.params.ckpt_name = 'sd15.safetensors';
  wf.nodes.latent.params = { width: 512, height: 512, batch_size: 1 };
  wf.nodes.sampler.params = { ...wf.nodes.sampler.params, steps };
  wf.nodes.upscale = {
    type: 'LatentUpscale',
    version: 1,
    params: { upscale_method: 'nearest-exact', width: 1024, height: 1024, crop: 'disabled' },
    inputs: { samples: { node: 'sampler', output: 'LATENT' } },
  };
  wf.nodes.hires = {
    type: 'KSampler',
    version: 1,
    params: { seed: 2, steps, denoise: 0.5 },
    inputs: { ...wf.nodes.sampler.inputs, latent_image: { node: 'upscale', output: 'LATENT' } },
  };
  wf.nodes.decode.inputs = { ...wf.nodes.decode.inputs, samples: { node: 'hires', output: 'LATENT' } };
  return wf;
}

export async function run(): Promise<void> {
  const vocab =
    process.env.LOOM_CLIP_VOCAB ??
    path.resolve(process.env.LOOM_GOLDEN_DIR ?? path.join('..', 'shared', 'golden'), 'clip', 'bpe_simple_vocab_16e6.txt.gz');
  if (!existsSync(vocab)) {
    console.log(`hires: skipped, no CLIP vocabulary at ${vocab} (set LOOM_CLIP_VOCAB)`);
    return;
  }
  process.env.LOOM_CLIP_VOCAB = vocab;
  const steps = Number(process.env.LOOM_BENCH_HIRES_STEPS ?? 2);
  const root = mkdtempSync(path.join(os.tmpdir(), 'loom-bench-hires-'));
  const { note } = figureLog();
  try {
    mkdirSync(path.join(root, 'models', 'checkpoints'), { recursive: true });
    if (!existsSync(KEPT)) await writeCheckpoint(KEPT);
    symlinkSync(KEPT, path.join(root, 'models', 'checkpoints', 'sd15.safetensors'));
    const nodeMs: Record<string, number> = {};
    const [, total] = await timed(() =>
      executeWorkflow({
        jobId: 'hires',
        workflow: hiresWorkflow(steps),
        registry: REGISTRY,
        cache: new OutputCache(),
        models: new ModelCache(32 * 2 ** 30),
        paths: resolvePaths({ root }),
        signal: new AbortController().signal,
        emit: (e) => {
          if (e.type === 'node.finished') nodeMs[e.nodeId] = e.ms;
        },
      }),
    );
    note('hires_total_s', total, `hires fix 512 -> 1024, ${steps}+${steps} steps, end to end (s)`);
    for (const [id, what] of [
      ['sampler', 'first pass KSampler 512x512 (s, incl. UNet load)'],
      ['upscale', 'LatentUpscale 64x64 -> 128x128 (s)'],
      ['hires', 'second pass KSampler 1024x1024, denoise 0.5 (s)'],
      ['decode', 'VAE decode 1024x1024 (s)'],
    ] as const) {
      if (nodeMs[id] !== undefined) note(`hires_${id}_s`, nodeMs[id] / 1000, what);
    }
    note('hires_peak_rss_gib', peakRssGiB(), 'peak RSS of the process (GiB)');
  } finally {
    await sessionCache.clear();
    rmSync(root, { recursive: true, force: true });
  }
}
