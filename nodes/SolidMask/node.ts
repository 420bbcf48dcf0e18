import { defineNode } from '../node';
import { assertFits } from '../_tensor/checks';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p }) => {
  const shape = [1, p.height, p.width];
  assertFits('width', shape, 'width × height');
  return { MASK: { shape, data: new Float32Array(p.height * p.width).fill(p.value) } };
});
