import { defineNode } from '../node';
import { imageDims, NodeInputError } from '../_tensor/checks';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const d = imageDims('image', inputs.image);
  const k = ['red', 'green', 'blue', 'alpha'].indexOf(p.channel);
  if (k >= d.c) throw new NodeInputError('channel', `channel: the image has ${d.c} channel${d.c === 1 ? '' : 's'}, so no ${p.channel} one.`);
  const data = new Float32Array(d.n * d.h * d.w);
  for (let i = 0; i < data.length; i++) data[i] = inputs.image.data[i * d.c + k];
  return { MASK: { shape: [d.n, d.h, d.w], data } };
});
