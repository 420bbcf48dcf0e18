import { defineNode } from '../node';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  // torch compares the float32 mask with the value cast to float32
  const t = Math.fround(p.value);
  return { MASK: { shape: [...inputs.mask.shape], data: inputs.mask.data.map((v) => (v > t ? 1 : 0)) } };
});
