/**
 * The text-to-image path through the engine (and the CLI) against tiny-sd1's ComfyUI-semantics goldens:
 * README "pipe_q": KSampler euler/normal 6 steps, cfg 7.5, quantized timesteps, full-denoise start noise·√(1+σ0²).
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeSafetensors } from '../../../server/runtime/io/safetensors-write';
import { sessionCache } from '../../../server/runtime/onnx/session-cache';
import { TorchGenerator } from '../../../server/runtime/sampling';
import { Command } from 'commander';
import { runCommand } from '../../../server/cli/commands/run';
import { COMMANDS } from '../../../server/cli/commands/index';
import { describeGolden, golden } from '../../helpers/golden';
import { readGoldenTensors, type GoldenTensor } from '../../helpers/read-golden';
import { engineRunner, maxAbs, maxAbsDiff, pipelineRoot, readLatentFile, readPngChw, type PipelineRoot } from './support';
import { continueWorkflow, splitWorkflow, txt2imgWorkflow } from './workflows';

const SCALE = 0.18215;
const SEED = 1434;
const CFG = 7.5;
const CKPT = 'tiny-sd1.safetensors';
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describeGolden('tiny-sd1 text-to-image through the engine (pipe_q goldens)', () => {
  let g: Map<string, GoldenTensor>;
  let root: PipelineRoot;
  const get = (k: string) => {
    const v = g.get(k);
    if (!v) throw new Error(`golden ${k} missing`);
    return v.data as Float32Array;
  };
  const abs = (rel: string) => path.join(root.paths.output, rel);

  beforeAll(async () => {
    g = await readGoldenTensors(golden('tiny-sd1', 'golden.safetensors'));
    root = pipelineRoot({ [`checkpoints/${CKPT}`]: golden('tiny-sd1', 'model.safetensors') });
    process.env.LOOM_CACHE_DIR = path.join(root.root, 'weight-cache');
  });
  afterAll(async () => {
    await sessionCache.clear();
    root.cleanup();
  });

  /** SaveLatent's file, in model space, vs a golden latent_out: max error relative to max |ref|. */
  async function latentError(file: string, ref: Float32Array): Promise<{ rel: number; marker: boolean }> {
    const { data, shape, marker } = await readLatentFile(file);
    expect(shape).toEqual([1, 4, 8, 8]);
    const modelSpace = Float32Array.from(data, (v) => v * SCALE);
    return { rel: maxAbsDiff(modelSpace, ref) / maxAbs(ref), marker };
  }

  it('seed 1434 draws exactly the golden noise (ComfyUI prepare_noise, CPU generator)', () => {
    const noise = new TorchGenerator(SEED).randn([1, 4, 8, 8]);
    expect(maxAbsDiff(noise, get('pipe.noise'))).toBe(0);
  });

  it('engine: latent within 1e-3·max of pipe_q.latent_out, PNG within 2/255 of pipe_q.image; a seed change re-runs only sampler→outputs', async () => {
    const engine = engineRunner(root.paths);
    const progress: number[] = [];
    const files = await engine.run(txt2imgWorkflow({ checkpoint: CKPT, seed: SEED, cfg: CFG }));
    const loading: string[] = [];
    for (const e of engine.events) {
      if (e.type !== 'node.progress' || e.nodeId !== 'sampler') continue;
      if (e.stage) loading.push(`${e.stage} ${e.step}/${e.total}${progress.length ? ' after a step' : ''}`);
      else progress.push(e.step);
    }
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
    // the UNet build starts once the checkpoint is loaded (warm): if still building when the sampler starts, it says so first
    expect([[], ['loading model 0/1', 'loading model 1/1']]).toContainEqual(loading);
    const png = files.find((f) => f.kind === 'image');
    const lat = files.find((f) => f.kind === 'latent');
    expect(png && lat).toBeTruthy();
    const { rel, marker } = await latentError(abs(lat!.path), get('pipe_q.latent_out'));
    console.log(`[pipeline] engine latent vs pipe_q.latent_out: ${rel.toExponential(3)} of max |ref| ${maxAbs(get('pipe_q.latent_out')).toFixed(2)}`);
    expect(marker).toBe(true);
    expect(rel).toBeLessThanOrEqual(1e-3);
    // the other start (noise·σ0) must be told apart by the same measure
    expect((await latentError(abs(lat!.path), get('pipe_q_sigma0.latent_out'))).rel).toBeGreaterThan(1e-3);
    const img = readPngChw(abs(png!.path));
    expect([img.width, img.height]).toEqual([64, 64]);
    const imgErr = maxAbsDiff(img.data, get('pipe_q.image'));
    console.log(`[pipeline] engine PNG vs pipe_q.image: ${(imgErr * 255).toFixed(3)}/255`);
    expect(imgErr).toBeLessThanOrEqual(2 / 255);

    await engine.run(txt2imgWorkflow({ checkpoint: CKPT, seed: SEED + 1, cfg: CFG }));
    expect(engine.started()).toEqual(['decode', 'sampler', 'save', 'savelatent']);
    expect(
      engine.events
        .filter((e) => e.type === 'node.cached')
        .map((e) => e.nodeId)
        .sort(),
    ).toEqual(['ckpt', 'latent', 'neg', 'pos']);
    // a prompt change re-encodes with the runtime already in the model cache: nothing is loaded twice
    const wf = txt2imgWorkflow({ checkpoint: CKPT, seed: SEED, cfg: CFG, positive: 'a photo of a dog' });
    await engine.run(wf);
    expect(engine.started()).toEqual(['decode', 'pos', 'sampler', 'save', 'savelatent']);
    const kinds = engine.models
      .keys()
      .map((k) => k.split('|')[0])
      .sort();
    expect(kinds).toEqual(['checkpoint', 'clip', 'unet', 'vae']);
  });

  it('batch 2: one generator draw of [2,4,8,8] (ComfyUI prepare_noise), so item 0 is still pipe_q; two PNGs', async () => {
    const engine = engineRunner(root.paths);
    const files = await engine.run(txt2imgWorkflow({ checkpoint: CKPT, seed: SEED, cfg: CFG, batch: 2 }));
    expect(files.filter((f) => f.kind === 'image')).toHaveLength(2);
    const { data, shape } = await readLatentFile(abs(files.find((f) => f.kind === 'latent')!.path));
    expect(shape).toEqual([2, 4, 8, 8]);
    const ref = get('pipe_q.latent_out');
    const item = (i: number) => Float32Array.from(data.subarray(i * 256, (i + 1) * 256), (v) => v * SCALE);
    expect(maxAbsDiff(item(0), ref) / maxAbs(ref)).toBeLessThanOrEqual(1e-3);
    expect(maxAbsDiff(item(1), ref) / maxAbs(ref)).toBeGreaterThan(1e-2);
  });

  it('KSamplerAdvanced 0→3 (leftover noise) then 3→6 (no new noise) equals the single KSampler run', async () => {
    const engine = engineRunner(root.paths);
    const files = await engine.run(splitWorkflow({ checkpoint: CKPT, seed: SEED, cfg: CFG, split: 3 }));
    const { rel } = await latentError(abs(files.find((f) => f.kind === 'latent')!.path), get('pipe_q.latent_out'));
    console.log(`[pipeline] split KSamplerAdvanced vs pipe_q.latent_out: ${rel.toExponential(3)}`);
    expect(rel).toBeLessThanOrEqual(1e-3);
  });

  it('LoadLatent(x_init) → KSamplerAdvanced(add_noise off) reproduces pipe_q_sigma0; legacy (scaled, unmarked) .latent too', async () => {
    const xInit = get('pipe_q_sigma0.x_init');
    const write = (name: string, data: Float32Array, marked: boolean) =>
      writeSafetensors(path.join(root.paths.input, name), [
        { name: 'latent_tensor', dtype: 'F32', shape: [1, 4, 8, 8], data: async () => new Uint8Array(data.buffer.slice(0)) },
        ...(marked ? [{ name: 'latent_format_version_0', dtype: 'F32' as const, shape: [0], data: async () => new Uint8Array(0) }] : []),
      ]);
    await write(
      'x_init.latent',
      Float32Array.from(xInit, (v) => v / SCALE),
      true,
    );
    await write('x_init_legacy.latent', Float32Array.from(xInit), false);
    const engine = engineRunner(root.paths);
    for (const file of ['x_init.latent', 'x_init_legacy.latent']) {
      const files = await engine.run(continueWorkflow(CKPT, file, CFG));
      const out = abs(files.find((f) => f.kind === 'latent')!.path);
      const q = await latentError(out, get('pipe_q_sigma0.latent_out'));
      const k = await latentError(out, get('pipe.latent_out'));
      console.log(
        `[pipeline] ${file}: vs pipe_q_sigma0.latent_out ${q.rel.toExponential(3)}, vs pipe.latent_out (k-diffusion, continuous t) ${k.rel.toExponential(3)}`,
      );
      expect(q.rel).toBeLessThanOrEqual(1e-3);
    }
  });

  it('CLI `latentloom run --models-dir --out` writes the same PNG and latent', async () => {
    const wfFile = path.join(root.root, 'wf.json');
    fs.writeFileSync(wfFile, JSON.stringify(txt2imgWorkflow({ checkpoint: CKPT, seed: SEED, cfg: CFG })));
    const out = path.join(root.root, 'cli-out');
    const models = path.join(root.root, 'models');
    const bin = path.join(repo, 'bin/latentloom.mjs');
    const program = new Command();
    for (const register of COMMANDS) register(program);
    const binHasRun = fs.existsSync(bin) && program.commands.some((c) => c.name() === 'run');
    let printed: string[];
    if (binHasRun) {
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          [bin, 'run', wfFile, '--models-dir', models, '--out', out],
          {
            cwd: repo,
            env: { ...process.env, LOOM_CLIP_VOCAB: golden('clip') },
            timeout: 110_000,
          },
          (err, so, se) => (err ? reject(new Error(`${err.message}\n${se}`)) : resolve(so)),
        );
      });
      printed = stdout.trim().split('\n');
    } else {
      // `run` is not registered in the CLI's command list yet: call the command's own entry point in-process
      const writes: string[] = [];
      const orig = process.stdout.write.bind(process.stdout);
      process.stdout.write = ((s: string | Uint8Array) => {
        writes.push(String(s));
        return true;
      }) as typeof process.stdout.write;
      let code: number;
      try {
        code = await runCommand(wfFile, { set: [], modelsDir: models, out });
      } finally {
        process.stdout.write = orig;
      }
      expect(code).toBe(0);
      printed = writes.join('').trim().split('\n');
    }
    const png = printed.find((p) => p.endsWith('.png'));
    const lat = printed.find((p) => p.endsWith('.latent'));
    expect(png && lat, printed.join('\n')).toBeTruthy();
    const { rel } = await latentError(lat!, get('pipe_q.latent_out'));
    const imgErr = maxAbsDiff(readPngChw(png!).data, get('pipe_q.image'));
    console.log(
      `[pipeline] CLI (${binHasRun ? 'bin/latentloom.mjs' : 'runCommand in-process'}): latent ${rel.toExponential(3)}, PNG ${(imgErr * 255).toFixed(3)}/255`,
    );
    expect(rel).toBeLessThanOrEqual(1e-3);
    expect(imgErr).toBeLessThanOrEqual(2 / 255);
  });
});
