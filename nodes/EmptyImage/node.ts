import { defineNode } from '../node';
import { assertFits } from '../_tensor/checks';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p }) => {
  const shape = [p.batch_size, p.height, p.width, 3];
  assertFits('width', shape, 'width × height × batch_size');
  const rgb = [(p.color >> 16) & 0xff, (p.color >> 8) & 0xff, p.color & 0xff].map((v) => v / 0xff);
  const data = new Float32Array(p.batch_size * p.height * p.width * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return { IMAGE: { shape, data } };
});
