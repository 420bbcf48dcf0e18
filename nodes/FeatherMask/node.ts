import { defineNode } from '../node';
import { mask3d } from '../_tensor/checks';
import { schema } from './schema';

const f = Math.fround;

/**
 * ComfyUI's FeatherMask, quirk included: the right and bottom loops index `-x` from x = 0, so their first factor
 * lands on column / row 0 (−0 is 0 in Python) and the last edge column / row keeps no factor of its own.
 */
export default defineNode(schema, async ({ params: p, inputs }) => {
  const m = mask3d(inputs.mask);
  const out = Float32Array.from(m.data);
  const left = Math.min(p.left, m.w);
  const right = Math.min(p.right, m.w);
  const top = Math.min(p.top, m.h);
  const bottom = Math.min(p.bottom, m.h);
  const col = (x: number, k: number) => {
    for (let b = 0; b < m.b; b++) for (let y = 0; y < m.h; y++) out[(b * m.h + y) * m.w + x] = f(out[(b * m.h + y) * m.w + x] * k);
  };
  const row = (y: number, k: number) => {
    for (let b = 0; b < m.b; b++) for (let x = 0; x < m.w; x++) out[(b * m.h + y) * m.w + x] = f(out[(b * m.h + y) * m.w + x] * k);
  };
  const neg = (i: number, n: number) => (i === 0 ? 0 : n - i);
  for (let x = 0; x < left; x++) col(x, f((x + 1) / left));
  for (let x = 0; x < right; x++) col(neg(x, m.w), f((x + 1) / right));
  for (let y = 0; y < top; y++) row(y, f((y + 1) / top));
  for (let y = 0; y < bottom; y++) row(neg(y, m.h), f((y + 1) / bottom));
  return { MASK: { shape: [m.b, m.h, m.w], data: out } };
});
