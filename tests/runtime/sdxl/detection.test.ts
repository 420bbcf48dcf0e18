/** SDXL base detection on the tiny fixture; the refiner's layout; unsupported SDXL layouts get a message naming what was found. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deriveUNetConfig } from '../../../server/runtime/checkpoint/arch/unet';
import { CheckpointError } from '../../../server/runtime/checkpoint/errors';
import { loadCheckpoint } from '../../../server/runtime/checkpoint/load';
import { assertGenerationSupported, checkpointHandles } from '../../../server/runtime/loaders/checkpoint';
import { describeGolden, golden } from '../../helpers/golden';
import { unet, vae, writeTiny } from '../checkpoint/synthetic';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-sdxl-detect-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describeGolden('SDXL base detection', () => {
  it('tiny-sdxl is an SDXL base checkpoint with both text towers and a 1664-wide adm', async () => {
    const c = await loadCheckpoint(golden('tiny-sdxl', 'model.safetensors'));
    expect([c.family, c.variant, c.prediction]).toEqual(['sdxl', 'normal', 'eps']);
    expect(Object.keys(c.components).sort()).toEqual(['clip_g', 'clip_l', 'unet', 'vae']);
    expect([c.components.unet!.size, c.components.clip_l!.size, c.components.clip_g!.size, c.components.vae!.size]).toEqual([428, 53, 42, 180]);
    expect(c.extras.other).toEqual(['denoiser.sigmas']);
    const cfg = deriveUNetConfig(c.provider('unet'));
    expect(cfg).toMatchObject({ admInChannels: 1664, linearProjection: true, transformerDepth: [0, 2], contextDim: 192 });
    const h = checkpointHandles(c, path.join(tmp, 'models'));
    expect([h.model.latent, Object.keys(h.clip.towers).sort()]).toEqual(['sdxl', ['clip_g', 'clip_l']]);
  });
});

/** A refiner's keys: OpenCLIP bigG as embedders.0 (no embedders.1) and a 2560-wide label_emb. */
const refinerKeys = {
  ...unet(),
  ...vae,
  'model.diffusion_model.label_emb.0.0.weight': [8, 2560],
  'model.diffusion_model.time_embed.0.weight': [8, 8],
  'conditioner.embedders.0.model.token_embedding.weight': [16, 8],
  'conditioner.embedders.0.model.text_projection': [8, 8],
};

describe('SDXL refiner and unsupported SDXL variants', () => {
  it('a refiner state dict is detected as sdxl_refiner, with clip_g only', async () => {
    const c = await loadCheckpoint(await writeTiny(path.join(tmp, 'refiner.safetensors'), refinerKeys));
    expect(c.family).toBe('sdxl_refiner');
    expect(Object.keys(c.components).sort()).toEqual(['clip_g', 'unet', 'vae']);
    expect(c.components.unet!.get('label_emb.0.0.weight')!.shape).toEqual([8, 2560]);
  });

  it('the LoadCheckpoint node accepts a refiner', async () => {
    const c = await loadCheckpoint(await writeTiny(path.join(tmp, 'refiner3.safetensors'), refinerKeys));
    expect(() => assertGenerationSupported(c)).not.toThrow();
    expect(Object.keys(checkpointHandles(c, path.join(tmp, 'models')).clip.towers)).toEqual(['clip_g']);
  });

  it('the LoadCheckpoint node refuses instruct-edit UNets (8 input channels) by name; inpainting (9) and normal SD1 layouts pass', async () => {
    const clip = { 'cond_stage_model.transformer.text_model.x': [1] };
    const edit = await loadCheckpoint(await writeTiny(path.join(tmp, 'edit.safetensors'), { ...unet(8), ...vae, ...clip }));
    expect(() => assertGenerationSupported(edit)).toThrow(
      /edit\.safetensors: sd1 instruct-edit \(pix2pix\) checkpoint detected \(UNet takes 8 input channels\)/,
    );
    const inpaint = await loadCheckpoint(await writeTiny(path.join(tmp, 'inpaint.safetensors'), { ...unet(9), ...vae, ...clip }));
    expect(() => assertGenerationSupported(inpaint)).not.toThrow();
    const normal = await loadCheckpoint(await writeTiny(path.join(tmp, 'normal.safetensors'), { ...unet(4), ...vae, ...clip }));
    expect(() => assertGenerationSupported(normal)).not.toThrow();
  });

  it('an SDXL UNet without its text encoders is refused, listing the prefixes found', async () => {
    const p = await writeTiny(path.join(tmp, 'unet-only.safetensors'), {
      ...unet(),
      ...vae,
      'model.diffusion_model.label_emb.0.0.weight': [8, 2816],
    });
    const e = await loadCheckpoint(p).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(CheckpointError);
    expect((e as Error).message).toMatch(/unknown model family .*model\.diffusion_model \(3\), first_stage_model\.decoder \(1\)/);
  });
});
