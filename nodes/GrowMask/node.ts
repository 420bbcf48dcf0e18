import { defineNode } from '../node';
import { mask3d } from '../_tensor/checks';
import { growPlanes } from '../../server/runtime/image/morphology';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const m = mask3d(inputs.mask);
  const data = growPlanes(m.data, m.h, m.w, Math.abs(p.expand), p.expand > 0, p.tapered_corners);
  return { MASK: { shape: [m.b, m.h, m.w], data } };
});
