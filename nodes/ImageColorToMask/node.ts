import { defineNode } from '../node';
import { imageDims, NodeInputError } from '../_tensor/checks';
import { schema } from './schema';

/** round(clamp(v, 0, 1) · 255) in float32, halves to even (torch.round). */
function byte(v: number): number {
  const s = Math.fround(Math.min(Math.max(v, 0), 1) * 255);
  const r = Math.round(s);
  return Math.abs(s % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export default defineNode(schema, async ({ params: p, inputs }) => {
  const d = imageDims('image', inputs.image);
  if (d.c < 3) throw new NodeInputError('image', `image: a colour needs red, green and blue channels; this image has ${d.c}.`);
  const data = new Float32Array(d.n * d.h * d.w);
  const px = inputs.image.data;
  for (let i = 0; i < data.length; i++) {
    const v = (byte(px[i * d.c]) << 16) + (byte(px[i * d.c + 1]) << 8) + byte(px[i * d.c + 2]);
    data[i] = v === p.color ? 1 : 0;
  }
  return { MASK: { shape: [d.n, d.h, d.w], data } };
});
