import { expect, it } from 'vitest';
import { describeGolden, golden } from '../../helpers/golden';
import { fileComponent } from '../../helpers/model-weights';
import { unetModulePairs } from '../../../server/runtime/checkpoint/lora/names/unet-diffusers';
import { unetLayoutFromNames } from '../../../server/runtime/checkpoint/lora/names/unet-layout';
import { buildKeyMap } from '../../../server/runtime/checkpoint/lora/names/key-map';

describeGolden('name tables cover real checkpoint layouts', () => {
  for (const model of ['tiny-sd1', 'tiny-sdxl']) {
    it(`${model}: every UNet weight has exactly one diffusers name, and every diffusers name a weight`, async () => {
      const unet = await fileComponent(golden(model, 'model.safetensors'), 'model.diffusion_model.');
      const weights = new Set(
        unet
          .names()
          .filter((n) => n.endsWith('.weight'))
          .map((n) => n.slice(0, -'.weight'.length)),
      );
      const pairs = unetModulePairs(unetLayoutFromNames(unet.names())).filter((p) => !p.diffusers.startsWith('class_embedding.'));
      const present = pairs.filter((p) => weights.has(p.ldm));
      // a bijection between the UNet's weighted modules and the generated diffusers names
      expect(new Set(present.map((p) => p.ldm)).size).toBe(present.length);
      expect(new Set(present.map((p) => p.ldm))).toEqual(weights);
    });
  }

  it('tiny-sdxl text encoders: CLIP-L (HF) and bigG (OpenCLIP, packed q/k/v) every layer module', async () => {
    const file = golden('tiny-sdxl', 'model.safetensors');
    const l = buildKeyMap('clip_l', await fileComponent(file, 'conditioner.embedders.0.'));
    const g = buildKeyMap('clip_g', await fileComponent(file, 'conditioner.embedders.1.'));
    const kohya = (m: Map<string, unknown> | ReadonlyMap<string, unknown>, p: string) => [...m.keys()].filter((k) => k.startsWith(p));
    expect(kohya(l.targets, 'lora_te1_').length).toBeGreaterThan(0);
    expect(kohya(g.targets, 'lora_te2_').length % 6).toBe(0);
    const k = g.targets.get('lora_te2_text_model_encoder_layers_0_self_attn_k_proj')!;
    expect(k.weight).toEqual({ name: 'model.transformer.resblocks.0.attn.in_proj_weight', rows: { start: 128, count: 128 } });
  });
});
