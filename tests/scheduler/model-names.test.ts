/** Model names as ComfyUI users write them reach the right file at prepare time (and the rewrite is reported). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePaths } from '../../server/config/paths';
import { Engine } from '../../server/scheduler/engine';
import { createInProcessExecutor } from '../../server/scheduler/inprocess-executor';
import { apiTxt2img } from '../nodes/comfy/ui-builder';

function engineWith(files: string[]) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-names-'));
  const paths = resolvePaths({ root });
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(paths.models, f)), { recursive: true });
    fs.writeFileSync(path.join(paths.models, f), 'x');
  }
  return new Engine({ paths, executor: createInProcessExecutor(paths), durable: false });
}

describe('model names in imported workflows', () => {
  it.each([
    ['SD1.5\\tiny-sd1.safetensors', 'Windows separators'],
    ['tiny-sd1.safetensors', 'the name without its folder, when unique'],
    ['sd1.5/TINY-SD1.safetensors', 'another letter case'],
    ['SD1.5/tiny-sd1', 'no extension'],
  ])('%s (%s) resolves to SD1.5/tiny-sd1.safetensors', async (written) => {
    const engine = engineWith(['checkpoints/SD1.5/tiny-sd1.safetensors', 'checkpoints/other/x.safetensors']);
    const api = apiTxt2img();
    api['4'].inputs.ckpt_name = written;
    const r = await engine.prepare(api);
    expect(r.errors).toEqual([]);
    expect(r.workflow?.nodes['4'].params.ckpt_name).toBe('SD1.5/tiny-sd1.safetensors');
    expect(r.warnings.join()).toContain('"SD1.5/tiny-sd1.safetensors"');
    await engine.close();
  });

  it('an ambiguous bare name is an error listing the candidates, never a guess', async () => {
    const engine = engineWith(['checkpoints/a/tiny-sd1.safetensors', 'checkpoints/b/tiny-sd1.safetensors']);
    const r = await engine.prepare(apiTxt2img());
    expect(r.errors).toMatchObject([
      { code: 'MODEL_NOT_FOUND', nodeId: '4', input: 'ckpt_name', suggestions: ['a/tiny-sd1.safetensors', 'b/tiny-sd1.safetensors'] },
    ]);
    await engine.close();
  });

  it('a ComfyUI models/ folder works as --models-dir as it is (unet, clip, upscale_models ... side by side)', async () => {
    const engine = engineWith([
      'checkpoints/tiny-sd1.safetensors',
      'unet/u.safetensors',
      'clip/c.safetensors',
      'upscale_models/4x.pth',
      'controlnet/cn.safetensors',
    ]);
    expect((await engine.prepare(apiTxt2img())).errors).toEqual([]);
    await engine.close();
  });
});
