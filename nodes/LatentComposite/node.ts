import { defineNode } from '../node';
import { latentDims, NodeInputError, withSamples } from '../_tensor/checks';
import { pySlice } from '../_tensor/slices';
import { schema } from './schema';

const f = Math.fround;

/** ComfyUI's LatentComposite.composite, feathered edges included (a per-row and per-column weight). */
export default defineNode(schema, async ({ params: p, inputs }) => {
  const to = latentDims('samples_to', inputs.samples_to);
  const from = latentDims('samples_from', inputs.samples_from);
  if (from.c !== to.c) throw new NodeInputError('samples_from', `samples_from has ${from.c} channels, samples_to ${to.c}.`);
  if (from.n !== to.n && from.n !== 1)
    throw new NodeInputError('samples_from', `samples_from holds ${from.n} latents, samples_to ${to.n}: give one, or as many.`);
  const x = Math.floor(p.x / 8);
  const y = Math.floor(p.y / 8);
  const feather = Math.floor(p.feather / 8);
  const out = Float32Array.from(inputs.samples_to.samples.data);
  // the visible part of samples_from: from[:, :, :to.h - y, :to.w - x]
  const [, sh] = pySlice(0, to.h - y, from.h);
  const [, sw] = pySlice(0, to.w - x, from.w);
  const h = Math.max(0, Math.min(sh, to.h - y));
  const w = Math.max(0, Math.min(sw, to.w - x));
  // ComfyUI's feather mask, multiplied row by row and column by column in its order (float32 rounding included)
  const mask = new Float32Array(sh * sw).fill(1);
  const scaleRows = (start: number, stop: number, k: number) => {
    const [b, e] = pySlice(start, stop, sh);
    for (let r = b; r < e; r++) for (let q = 0; q < sw; q++) mask[r * sw + q] = f(mask[r * sw + q] * k);
  };
  const scaleCols = (start: number, stop: number, k: number) => {
    const [b, e] = pySlice(start, stop, sw);
    for (let r = 0; r < sh; r++) for (let q = b; q < e; q++) mask[r * sw + q] = f(mask[r * sw + q] * k);
  };
  for (let t = 0; t < feather; t++) {
    const k = f((1 / feather) * (t + 1));
    if (y !== 0) scaleRows(t, t + 1, k);
    if (y + sh < to.h) scaleRows(sh - 1 - t, sh - t, k);
    if (x !== 0) scaleCols(t, t + 1, k);
    if (x + sw < to.w) scaleCols(sw - 1 - t, sw - t, k);
  }
  const src = inputs.samples_from.samples.data;
  for (let n = 0; n < to.n; n++) {
    const fn = from.n === 1 ? 0 : n;
    for (let c = 0; c < to.c; c++) {
      const ob = (n * to.c + c) * to.h * to.w;
      const sb = (fn * from.c + c) * from.h * from.w;
      for (let r = 0; r < h; r++) {
        for (let q = 0; q < w; q++) {
          const s = src[sb + r * from.w + q];
          const i = ob + (y + r) * to.w + x + q;
          if (feather === 0) out[i] = s;
          else {
            const m = mask[r * sw + q];
            out[i] = f(f(s * m) + f(out[i] * f(1 - m)));
          }
        }
      }
    }
  }
  return { LATENT: withSamples(inputs.samples_to, { shape: [...inputs.samples_to.samples.shape], data: out }) };
});
