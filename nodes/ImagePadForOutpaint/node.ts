import { defineNode } from '../node';
import { assertFits, imageDims } from '../_tensor/checks';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const { n, h, w, c } = imageDims('image', inputs.image);
  const H = h + p.top + p.bottom;
  const W = w + p.left + p.right;
  assertFits('left', [n, H, W, c], 'the padded image');
  const image = new Float32Array(n * H * W * c).fill(0.5);
  const src = inputs.image.data;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) image.set(src.subarray((b * h + y) * w * c, ((b * h + y) * w + w) * c), ((b * H + y + p.top) * W + p.left) * c);
  }
  // 1 on the margins; inside, ((feathering − d) / feathering)² within `feathering` of a padded edge
  const mask = new Float32Array(H * W).fill(1);
  const fe = p.feathering;
  const feather = fe > 0 && fe * 2 < h && fe * 2 < w;
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      let v = 0;
      if (feather) {
        const d = Math.min(p.top !== 0 ? i : h, p.bottom !== 0 ? h - i : h, p.left !== 0 ? j : w, p.right !== 0 ? w - j : w);
        if (d < fe) v = ((fe - d) / fe) ** 2;
      }
      mask[(i + p.top) * W + j + p.left] = v;
    }
  }
  return { IMAGE: { shape: [n, H, W, c], data: image }, MASK: { shape: [1, H, W], data: mask } };
});
