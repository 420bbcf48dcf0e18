import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NodeRunner, OutputFile, RunContext } from '../../nodes/runner';
import { run as emptyLatent } from '../../nodes/EmptyLatent/run';
import { run as saveImage } from '../../nodes/SaveImage/run';
import { run as loadImage } from '../../nodes/LoadImage/run';
import { run as saveLatent } from '../../nodes/SaveLatent/run';
import { run as loadLatent } from '../../nodes/LoadLatent/run';
import { readWorkflowFromPng } from '../../nodes/workflow/png-text';
import { resolvePaths } from '../../server/config/paths';
import { ModelCache } from '../../server/runtime/model-cache';
import { writeSafetensors } from '../../server/runtime/io/safetensors-write';
import { isLatent, type ImageValue, type LatentValue } from '../../server/runtime/values';
import { txt2img } from '../scheduler/fixtures';

function context(params: RunContext['params'], inputs: RunContext['inputs'] = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-run-'));
  const files: OutputFile[] = [];
  const ctx: RunContext = {
    nodeId: 'n', params, inputs, signal: new AbortController().signal, progress: () => {},
    paths: resolvePaths({ root }), models: new ModelCache(1), workflow: txt2img(), warn: () => {}, recordFile: (f) => files.push({ ...f, nodeId: 'n' }),
  };
  return { ctx, files, root };
}
const call = (r: NodeRunner, ctx: RunContext) => r(ctx);

describe('non-ML runners', () => {
  it('EmptyLatent makes zero latents at 1/8 size', async () => {
    const { ctx } = context({ width: 64, height: 128, batch_size: 2 });
    const { latent } = await call(emptyLatent, ctx);
    expect((latent as LatentValue).samples.shape).toEqual([2, 4, 16, 8]);
  });

  it('SaveImage embeds the workflow, which reads back equal; LoadImage reads the pixels', async () => {
    const image: ImageValue = { shape: [1, 2, 3, 3], data: Float32Array.from({ length: 18 }, (_, i) => i / 17) };
    const { ctx, files, root } = context({ filename_prefix: 'sub/pic' }, { images: image });
    await call(saveImage, ctx);
    expect(files).toEqual([{ path: 'sub/pic_00001_.png', kind: 'image', nodeId: 'n' }]);
    const bytes = fs.readFileSync(path.join(root, 'output', files[0].path));
    expect(readWorkflowFromPng(bytes)).toEqual(txt2img());
    fs.mkdirSync(path.join(root, 'input'));
    fs.copyFileSync(path.join(root, 'output', files[0].path), path.join(root, 'input', 'x.png'));
    const back = (await call(loadImage, { ...ctx, params: { image: 'x.png' } })).image as ImageValue;
    expect(back.shape).toEqual([1, 2, 3, 3]);
    back.data.forEach((v, i) => expect(Math.abs(v - image.data[i])).toBeLessThanOrEqual(1 / 255));
  });

  it('SaveImage refuses a prefix outside the output folder', async () => {
    const { ctx } = context({ filename_prefix: '../escape' }, { images: { shape: [1, 1, 1, 3], data: new Float32Array(3) } });
    await expect(call(saveImage, ctx)).rejects.toThrow(/outside/);
  });

  it('SaveLatent writes a ComfyUI .latent that LoadLatent reads back unchanged', async () => {
    const samples = { shape: [1, 4, 2, 2], data: Float32Array.from({ length: 16 }, (_, i) => i - 8) };
    const { ctx, files, root } = context({ filename_prefix: 'latents/t' }, { samples: { samples } });
    await call(saveLatent, ctx);
    fs.mkdirSync(path.join(root, 'input'));
    fs.copyFileSync(path.join(root, 'output', files[0].path), path.join(root, 'input', 'a.latent'));
    const { latent } = await call(loadLatent, { ...ctx, params: { latent: 'a.latent' } });
    expect(isLatent(latent) && Array.from(latent.samples.data)).toEqual(Array.from(samples.data));
  });

  it('LoadLatent rescales a file without the version marker by 1/0.18215 as ComfyUI does', async () => {
    const { ctx, root } = context({ latent: 'old.latent' });
    fs.mkdirSync(path.join(root, 'input'));
    const data = new Float32Array([0.18215, -0.3643]);
    await writeSafetensors(path.join(root, 'input', 'old.latent'), [
      { name: 'latent_tensor', dtype: 'F32', shape: [1, 1, 1, 2], data: async () => new Uint8Array(data.buffer) },
    ]);
    const { latent } = await call(loadLatent, ctx);
    const out = (latent as LatentValue).samples.data;
    expect(out[0]).toBeCloseTo(1, 5);
    expect(out[1]).toBeCloseTo(-2, 5);
  });
});
