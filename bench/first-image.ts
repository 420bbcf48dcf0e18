/**
 * First-image latency at SD1.5 size (random fp16 weights), through the scheduler as a user's run goes:
 * txt2img 512x512, 2 steps. file-to-first-step: from the job's start to the sampler's first step; file-to-image:
 * to the saved PNG. Cold: empty weight cache and no sessions; then a restart (sessions dropped) whose build saves
 * onnxruntime's optimised models in the background; warm: the next restart, which reloads them.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REGISTRY } from '../nodes/registry';
import { resolvePaths } from '../server/config/paths';
import { writeSafetensors } from '../server/runtime/io/safetensors-write';
import { float32ToF16 } from '../server/runtime/io/dtype';
import { ModelCache } from '../server/runtime/model-cache';
import { backgroundSaves } from '../server/runtime/onnx/optimized-models';
import { sessionCache } from '../server/runtime/onnx/session-cache';
import { executeWorkflow } from '../server/scheduler/execute';
import { OutputCache } from '../server/scheduler/output-cache';
import { randomClip, randomUNet, randomVae, type Tensors } from '../tests/helpers/random-models';
import { txt2img } from '../tests/scheduler/fixtures';
import { figureLog, timed } from './lib/measure';
import { SD15_UNET } from './lib/sd15';

export async function writeCheckpoint(file: string): Promise<void> {
  const parts: [string, Tensors][] = [
    ['model.diffusion_model.', randomUNet(SD15_UNET, 1, true)],
    ['cond_stage_model.transformer.text_model.', randomClip({ width: 768, layers: 12, intermediate: 3072, vocab: 49408, positions: 77 }, 2, true)],
    ['first_stage_model.', randomVae({ ch: 128, chMult: [1, 2, 4, 4], numResBlocks: 2, zChannels: 4 }, 3, true)],
  ];
  const entries = parts.flatMap(([prefix, tensors]) =>
    [...tensors].map(([name, t]) => ({
      name: prefix + name,
      dtype: 'F16' as const,
      shape: t.shape,
      data: async () => {
        const h = float32ToF16(t.data);
        return new Uint8Array(h.buffer, h.byteOffset, h.byteLength);
      },
    })),
  );
  await writeSafetensors(file, entries, { format: 'pt' });
}

/** Generating the checkpoint takes a minute or more on 2 cores: kept in the temp dir for the next run. */
export const KEPT = path.join(os.tmpdir(), 'loom-bench-sd15-random.safetensors');

export async function run(): Promise<void> {
  const vocab =
    process.env.LOOM_CLIP_VOCAB ??
    path.resolve(process.env.LOOM_GOLDEN_DIR ?? path.join('..', 'shared', 'golden'), 'clip', 'bpe_simple_vocab_16e6.txt.gz');
  if (!existsSync(vocab)) {
    console.log(`first-image: skipped, no CLIP vocabulary at ${vocab} (set LOOM_CLIP_VOCAB)`);
    return;
  }
  process.env.LOOM_CLIP_VOCAB = vocab;
  const root = mkdtempSync(path.join(os.tmpdir(), 'loom-bench-first-'));
  const before = process.env.LOOM_CACHE_DIR;
  process.env.LOOM_CACHE_DIR = path.join(root, 'cache');
  const { note } = figureLog();
  try {
    mkdirSync(path.join(root, 'models', 'checkpoints'), { recursive: true });
    if (!existsSync(KEPT)) {
      const [, genS] = await timed(() => writeCheckpoint(KEPT));
      note('first_gen_s', genS, `SD1.5-sized random checkpoint generated + written to ${KEPT} (s; kept for the next run)`);
    }
    symlinkSync(KEPT, path.join(root, 'models', 'checkpoints', 'sd15.safetensors'));
    const wf = txt2img(1);
    wf.nodes.ckpt.params.ckpt_name = 'sd15.safetensors';
    wf.nodes.latent.params = { width: 512, height: 512, batch_size: 1 };
    wf.nodes.sampler.params = { ...wf.nodes.sampler.params, steps: 2 };
    const paths = resolvePaths({ root });
    // each run is a fresh process as far as models go: no sessions, no loaded runners, no cached outputs
    const once = async (label: string, key: string) => {
      await sessionCache.clear();
      const t0 = performance.now();
      let firstStep = Number.NaN;
      let loading = 0;
      await executeWorkflow({
        jobId: key,
        workflow: wf,
        registry: REGISTRY,
        cache: new OutputCache(),
        models: new ModelCache(32 * 2 ** 30),
        paths,
        signal: new AbortController().signal,
        emit: (e) => {
          if (e.type !== 'node.progress' || e.nodeId !== 'sampler') return;
          if (e.stage) loading++;
          else if (Number.isNaN(firstStep)) firstStep = (performance.now() - t0) / 1000;
        },
      });
      const image = (performance.now() - t0) / 1000;
      note(`${key}_first_step_s`, firstStep, `${label}: file-to-first-step (s)${loading ? ' (showed "loading model")' : ''}`);
      note(`${key}_image_s`, image, `${label}: file-to-image (s)`);
      const [, saveS] = await timed(() => backgroundSaves());
      if (saveS > 0.05) note(`${key}_bg_save_s`, saveS, `  then the background save of optimised models (s, after the image)`);
    };
    await once('cold (empty weight cache, first build)', 'first_cold');
    await once('restart (built again; optimised models saved in the background)', 'first_second');
    await once('warm (saved optimised models reloaded)', 'first_warm');
  } finally {
    await sessionCache.clear();
    if (before === undefined) delete process.env.LOOM_CACHE_DIR;
    else process.env.LOOM_CACHE_DIR = before;
    rmSync(root, { recursive: true, force: true });
  }
}
