/**
 * Headless exact reproducibility: LoadLatent(x_init) → KSamplerAdvanced(add_noise off) → SaveLatent
 * reproduces golden pipe_q.latent_out (ComfyUI KSampler semantics, euler/normal, 6 steps, cfg 7.5).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeGolden, golden } from '../helpers/golden';
import { openSafetensors } from '../../server/runtime/io/safetensors';
import { toFloat32 } from '../../server/runtime/io/dtype';
import { writeSafetensors } from '../../server/runtime/io/safetensors-write';
import { resolvePaths } from '../../server/config/paths';
import { Engine } from '../../server/scheduler/engine';
import { createInProcessExecutor } from '../../server/scheduler/inprocess-executor';

const SD1_SCALE = 0.18215;

async function goldenTensor(name: string): Promise<{ data: Float32Array; shape: number[] }> {
  const file = await openSafetensors(golden('tiny-sd1', 'golden.safetensors'));
  const ref = file.tensors.get(name);
  if (!ref) throw new Error(`golden has no ${name}`);
  return { data: toFloat32(await ref.read(), ref.dtype), shape: [...ref.shape] };
}

describeGolden('LoadLatent + KSamplerAdvanced(add_noise off) + SaveLatent', () => {
  it('reproduces pipe_q.latent_out', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-repro-'));
    const paths = resolvePaths({ root });
    fs.mkdirSync(path.join(paths.models, 'checkpoints'), { recursive: true });
    fs.mkdirSync(path.join(paths.models, 'clip'), { recursive: true });
    fs.mkdirSync(paths.input, { recursive: true });
    fs.symlinkSync(golden('tiny-sd1', 'model.safetensors'), path.join(paths.models, 'checkpoints', 'tiny-sd1.safetensors'));
    fs.symlinkSync(golden('clip', 'bpe_simple_vocab_16e6.txt.gz'), path.join(paths.models, 'clip', 'bpe_simple_vocab_16e6.txt.gz'));
    // .latent files hold VAE-space latents: the model-space start divided by the scale factor
    const xInit = await goldenTensor('pipe_q.x_init');
    const vaeSpace = xInit.data.map((v) => v / SD1_SCALE);
    await writeSafetensors(path.join(paths.input, 'x_init.latent'), [
      { name: 'latent_tensor', dtype: 'F32', shape: xInit.shape, data: async () => new Uint8Array(vaeSpace.buffer) },
      { name: 'latent_format_version_0', dtype: 'F32', shape: [0], data: async () => new Uint8Array(0) },
    ]);
    const L = (node: string, output: string) => ({ node, output });
    const workflow = {
      format: 'latentloom.workflow',
      version: 1,
      nodes: {
        ckpt: { type: 'LoadCheckpoint', params: { file: 'tiny-sd1.safetensors' } },
        pos: { type: 'TextEncode', params: { text: 'a photo of a cat' }, inputs: { clip: L('ckpt', 'clip') } },
        neg: { type: 'TextEncode', params: { text: '' }, inputs: { clip: L('ckpt', 'clip') } },
        start: { type: 'LoadLatent', params: { latent: 'x_init.latent' } },
        sampler: {
          type: 'KSamplerAdvanced',
          params: {
            add_noise: 'disable',
            noise_seed: 0,
            steps: 6,
            cfg: 7.5,
            sampler_name: 'euler',
            scheduler: 'normal',
            start_at_step: 0,
            end_at_step: 10000,
            return_with_leftover_noise: 'disable',
          },
          inputs: {
            model: L('ckpt', 'model'),
            positive: L('pos', 'conditioning'),
            negative: L('neg', 'conditioning'),
            latent_image: L('start', 'latent'),
          },
        },
        save: { type: 'SaveLatent', params: { filename_prefix: 'repro' }, inputs: { samples: L('sampler', 'latent') } },
      },
    };
    const engine = new Engine({ paths, executor: createInProcessExecutor(paths), durable: false });
    const { job } = await engine.enqueue(workflow);
    await engine.idle();
    const done = await engine.get(job.id);
    await engine.close();
    expect(done?.error).toBeUndefined();
    const out = await openSafetensors(path.join(paths.output, done?.files[0].path ?? ''));
    const ref = out.tensors.get('latent_tensor');
    const got = toFloat32(await (ref as NonNullable<typeof ref>).read(), 'F32').map((v) => v * SD1_SCALE);
    const want = await goldenTensor('pipe_q.latent_out');
    const maxRef = Math.max(...want.data.map(Math.abs));
    const maxDiff = Math.max(...got.map((v, i) => Math.abs(v - want.data[i])));
    expect(maxDiff).toBeLessThanOrEqual(1e-3 * maxRef);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
