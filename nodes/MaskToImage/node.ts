import { defineNode } from '../node';
import { assertFits, mask3d } from '../_tensor/checks';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs }) => {
  const m = mask3d(inputs.mask);
  assertFits('mask', [m.b, m.h, m.w, 3], 'the image');
  const data = new Float32Array(m.data.length * 3);
  for (let i = 0; i < m.data.length; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = m.data[i];
  return { IMAGE: { shape: [m.b, m.h, m.w, 3], data } };
});
