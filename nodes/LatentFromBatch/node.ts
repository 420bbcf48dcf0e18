import { defineNode } from '../node';
import type { LatentValue } from '../../server/runtime/values';
import { latentDims } from '../_tensor/checks';
import { repeatToBatchSize, sliceBatch } from '../../server/runtime/image/batch';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs, ctx }) => {
  const s = inputs.samples;
  const n = latentDims('samples', s).n;
  // ComfyUI clamps both to the batch; say so when that changes what was asked
  const start = Math.min(n - 1, p.batch_index);
  const length = Math.min(n - start, p.length);
  if (start !== p.batch_index || length !== p.length) {
    ctx.warn(`the batch holds ${n} latents: took ${length} from index ${start} (asked ${p.length} from ${p.batch_index}), as ComfyUI does`);
  }
  const out: LatentValue = { ...s, samples: sliceBatch(s.samples, start, length) };
  if (s.noise_mask && s.noise_mask.shape.length === 4 && s.noise_mask.shape[0] > 1) {
    out.noise_mask = sliceBatch(repeatToBatchSize(s.noise_mask, Math.max(n, s.noise_mask.shape[0])), start, length);
  }
  out.batch_index = s.batch_index ? s.batch_index.slice(start, start + length) : Array.from({ length }, (_, i) => start + i);
  return { LATENT: out };
});
