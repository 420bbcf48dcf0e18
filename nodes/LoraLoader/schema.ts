import { defineSchema, float, modelFile, out1, socket } from '../define';

const strength = { min: -100, max: 100, step: 0.01, default: 1 } as const;

export const schema = defineSchema({
  id: 'LoraLoader',
  version: 1,
  title: 'Load LoRA',
  category: 'loaders',
  description: 'Patches the model and the text encoder with a LoRA (kohya, PEFT/diffusers, LoCon, LoHa, LoKr, DoRA) at the given strengths.',
  io: [
    socket('model', 'MODEL'),
    socket('clip', 'CLIP'),
    modelFile('lora_name', 'loras'),
    float('strength_model', strength),
    float('strength_clip', strength),
  ],
  outputs: [out1('MODEL'), out1('CLIP')],
});
