import { defineNode } from '../node';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const cond = inputs.conditioning;
  // ComfyUI returns the conditioning untouched at strength 0
  if (p.strength === 0) return { CONDITIONING: cond };
  const item = { imageEmbeds: inputs.clip_vision_output.imageEmbeds, strength: p.strength, noiseAugmentation: p.noise_augmentation };
  // conditioning_set_values(..., append=True): each entry's unclip_conditioning list grows by one
  const entries = cond.entries.map((e) => ({ ...e, unclipConditioning: [...(e.unclipConditioning ?? []), item] }));
  return { CONDITIONING: { kind: 'conditioning' as const, entries } };
});
