import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '@/server/runtime/checkpoint/load';
import { CheckpointError } from '@/server/runtime/checkpoint/errors';
import { toFloat32 } from '@/server/runtime/io/dtype';
import { describeGolden, golden } from '../../helpers/golden';
import { scratchDir } from '../io/st-fixtures';
import { unet, vae, writeTiny } from './synthetic';

const tmp = scratchDir('ckpt-load');
afterAll(() => tmp.cleanup());

describeGolden('golden checkpoints', () => {
  it('tiny-sd1 is SD1 eps with stripped component names and LitEma scalars as extras', async () => {
    const c = await loadCheckpoint(golden('tiny-sd1', 'model.safetensors'));
    expect([c.format, c.family, c.variant, c.prediction]).toEqual(['safetensors', 'sd1', 'normal', 'eps']);
    expect(c.components.unet!.size).toBe(494);
    expect(c.components.vae!.size).toBe(180);
    expect(c.components.clip!.has('embeddings.token_embedding.weight')).toBe(true);
    expect(c.components.unet!.has('input_blocks.0.0.weight')).toBe(true);
    expect(c.extras.ema.sort()).toEqual(['model_ema.decay', 'model_ema.num_updates']);
    expect(c.extras.other).toContain('alphas_cumprod');
    expect(c.extras.other).toHaveLength(12);
    expect(c.metadata.format).toBe('pt');
  });

  it('tiny-sdxl is SDXL with clip_l and clip_g', async () => {
    const c = await loadCheckpoint(golden('tiny-sdxl', 'model.safetensors'));
    expect(c.family).toBe('sdxl');
    expect(c.components.clip_l!.size).toBe(53);
    expect(c.components.clip_g!.has('text_projection')).toBe(true);
    expect(c.components.unet!.size).toBe(428);
    expect(c.components.clip).toBeUndefined();
    expect(c.extras.other).toEqual(['denoiser.sigmas']);
  });

  it('the training .ckpt reports optimizer state', async () => {
    const c = await loadCheckpoint(golden('ckpt', 'tiny-sd1-training.ckpt'));
    expect(c.format).toBe('ckpt');
    expect(c.extras.optimizer).toEqual(expect.arrayContaining(['optimizer_states', 'lr_schedulers']));
    expect(c.trainingState.global_step).toBe(470000);
  });

  it('provides float32 weights, file ranges and stable identities', async () => {
    const c = await loadCheckpoint(golden('tiny-sd1', 'model.safetensors'));
    const p = c.provider('unet');
    const name = 'input_blocks.0.0.weight';
    expect(p.info(name)).toEqual({ dtype: 'F16', shape: [32, 4, 3, 3] });
    const raw = await c.tensors.get(`model.diffusion_model.${name}`)!.read();
    expect(Array.from(await p.float32(name))).toEqual(Array.from(toFloat32(raw, 'F16')));
    expect(p.fileRange(name)!.length).toBe(32 * 4 * 9 * 2);
    expect(p.identity(name)).toBe(c.provider('unet').identity(name));
    expect(p.identity(name)).not.toBe(p.identity('input_blocks.0.0.bias'));
    expect(() => p.info('nope')).toThrow(/"nope" not found/);
  });
});

describe('family and variant detection on synthetic files', () => {
  const sd2Clip = { 'cond_stage_model.model.token_embedding.weight': [10, 4] };
  it('SD2 (OpenCLIP text tower) with the v-prediction heuristic and the explicit option', async () => {
    const bias = 'model.diffusion_model.output_blocks.11.1.transformer_blocks.0.norm1.bias';
    const eps = await writeTiny(tmp.file('sd2.safetensors'), { ...unet(), ...vae, ...sd2Clip, [bias]: [64] }, () => 0.1);
    const v = await writeTiny(tmp.file('sd2v.safetensors'), { ...unet(), ...vae, ...sd2Clip, [bias]: [64] }, (n, i) =>
      n === bias ? (i % 2 ? 0.5 : -0.5) : 0,
    );
    const a = await loadCheckpoint(eps);
    expect([a.family, a.prediction, a.predictionSource]).toEqual(['sd2', 'eps', 'sd2 heuristic']);
    expect(a.components.clip!.has('token_embedding.weight')).toBe(true);
    const b = await loadCheckpoint(v);
    expect([b.prediction, b.predictionSource]).toEqual(['v_prediction', 'sd2 heuristic']);
    const forced = await loadCheckpoint(v, { prediction: 'eps' });
    expect([forced.prediction, forced.predictionSource]).toEqual(['eps', 'option']);
  });
  it('inpaint variant from 9 UNet input channels', async () => {
    const p = await writeTiny(tmp.file('inpaint.safetensors'), { ...unet(9), ...vae, 'cond_stage_model.transformer.text_model.x': [1] });
    const c = await loadCheckpoint(p);
    expect([c.family, c.variant]).toEqual(['sd1', 'inpaint']);
  });
  it('SDXL refiner: embedders.0 is OpenCLIP and there is no embedders.1', async () => {
    const p = await writeTiny(tmp.file('refiner.safetensors'), {
      ...unet(),
      ...vae,
      'model.diffusion_model.label_emb.0.0.weight': [4, 4],
      'conditioner.embedders.0.model.token_embedding.weight': [10, 4],
    });
    const c = await loadCheckpoint(p);
    expect(c.family).toBe('sdxl_refiner');
    expect(c.components.clip_g!.has('token_embedding.weight')).toBe(true);
  });
  it('a v_pred marker key means v-prediction', async () => {
    const p = await writeTiny(tmp.file('vpred.safetensors'), { ...unet(), ...vae, 'cond_stage_model.transformer.text_model.x': [1], v_pred: [] });
    expect((await loadCheckpoint(p)).predictionSource).toBe('marker key');
  });
  it('unknown layouts are refused listing what was found', async () => {
    const p = await writeTiny(tmp.file('lora-like.safetensors'), { 'lora_unet_down.alpha': [], 'lora_unet_down.lora_up.weight': [4, 1] });
    const e = (await loadCheckpoint(p).then(
      () => undefined,
      (x: unknown) => x,
    )) as Error;
    expect(e).toBeInstanceOf(CheckpointError);
    expect(e.message).toMatch(/unknown model family \(2 tensors; top-level prefixes: lora_unet_down\.alpha \(1\), lora_unet_down\.lora_up \(1\)\)/);
  });
  it('an unknown UNet input width is refused', async () => {
    const p = await writeTiny(tmp.file('odd.safetensors'), { ...unet(5), 'cond_stage_model.transformer.text_model.x': [1] });
    await expect(loadCheckpoint(p)).rejects.toThrow(/takes 5 input channels/);
  });
});
