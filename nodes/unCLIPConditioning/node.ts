import { defineNode } from '../node';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const cond = inputs.conditioning;
  // ComfyUI returns the conditioning untouched at strength 0
  if (p.strength === 0) return { CONDITIONING: cond };
  const entry = { imageEmbeds: inputs.clip_vision_output.imageEmbeds, strength: p.strength, noiseAugmentation: p.noise_augmentation };
  return { CONDITIONING: { ...cond, unclip: [...(cond.unclip ?? []), entry] } };
});
