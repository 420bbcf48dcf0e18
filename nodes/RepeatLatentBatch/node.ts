import { defineNode } from '../node';
import type { LatentValue } from '../../server/runtime/values';
import { assertFits, latentDims } from '../_tensor/checks';
import { repeatBatch } from '../../server/runtime/image/batch';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const s = inputs.samples;
  const d = latentDims('samples', s);
  assertFits('amount', [d.n * p.amount, d.c, d.h, d.w], 'the repeated batch');
  const out: LatentValue = { ...s, samples: repeatBatch(s.samples, p.amount) };
  // ComfyUI repeats a per-sample noise mask with the batch (a single mask already applies to all)
  if (s.noise_mask && s.noise_mask.shape[0] > 1 && s.noise_mask.shape.length === 4) out.noise_mask = repeatBatch(s.noise_mask, p.amount);
  if (s.batch_index) {
    const bi = s.batch_index;
    const offset = Math.max(...bi) - Math.min(...bi) + 1;
    out.batch_index = [...bi];
    for (let i = 1; i < p.amount; i++) for (const x of bi) out.batch_index.push(x + i * offset);
  }
  return { LATENT: out };
});
