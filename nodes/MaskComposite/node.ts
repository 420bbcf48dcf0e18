import { defineNode } from '../node';
import { mask3d, NodeInputError } from '../_tensor/checks';
import { schema } from './schema';

const f = Math.fround;
/** torch.round (half to even) then bool. */
const on = (v: number) => {
  const r = Math.round(v);
  return (Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r) !== 0;
};

const OPS = {
  multiply: (d: number, s: number) => f(d * s),
  add: (d: number, s: number) => f(d + s),
  subtract: (d: number, s: number) => f(d - s),
  and: (d: number, s: number) => Number(on(d) && on(s)),
  or: (d: number, s: number) => Number(on(d) || on(s)),
  xor: (d: number, s: number) => Number(on(d) !== on(s)),
} as const;

export default defineNode(schema, async ({ params: p, inputs }) => {
  const d = mask3d(inputs.destination);
  const s = mask3d(inputs.source);
  if (s.b !== d.b && s.b !== 1) throw new NodeInputError('source', `source holds ${s.b} masks, destination ${d.b}: give one, or as many.`);
  const out = Float32Array.from(d.data);
  const op = OPS[p.operation];
  const visW = Math.max(0, Math.min(p.x + s.w, d.w) - p.x);
  const visH = Math.max(0, Math.min(p.y + s.h, d.h) - p.y);
  for (let b = 0; b < d.b; b++) {
    const sb = s.b === 1 ? 0 : b;
    for (let r = 0; r < visH; r++) {
      for (let q = 0; q < visW; q++) {
        const i = (b * d.h + p.y + r) * d.w + p.x + q;
        out[i] = op(out[i], s.data[(sb * s.h + r) * s.w + q]);
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i] < 0 ? 0 : Math.min(out[i], 1);
  return { MASK: { shape: [d.b, d.h, d.w], data: out } };
});
