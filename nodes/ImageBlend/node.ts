import { defineNode } from '../node';
import { imageDims, NodeInputError } from '../_tensor/checks';
import { alphaFix } from '../_tensor/alpha';
import { commonUpscale } from '../../server/runtime/image/common-upscale';
import { schema } from './schema';

const f = Math.fround;

/** comfy_extras Blend.g: the soft-light curve. */
const g = (x: number) => (x <= 0.25 ? f(f(f(f(f(f(16 * x) - 12) * x) + 4) * x)) : f(Math.sqrt(x)));

const MODES = {
  normal: (_a: number, b: number) => b,
  multiply: (a: number, b: number) => f(a * b),
  screen: (a: number, b: number) => f(1 - f(f(1 - a) * f(1 - b))),
  overlay: (a: number, b: number) => (a <= 0.5 ? f(f(2 * a) * b) : f(1 - f(f(2 * f(1 - a)) * f(1 - b)))),
  soft_light: (a: number, b: number) => (b <= 0.5 ? f(a - f(f(f(1 - f(2 * b)) * a) * f(1 - a))) : f(a + f(f(f(2 * b) - 1) * f(g(a) - a)))),
  difference: (a: number, b: number) => f(a - b),
} as const;

export default defineNode(schema, async ({ params: p, inputs }) => {
  const [image1, image2] = alphaFix(inputs.image1, inputs.image2, 'image1', 'image2');
  const a = imageDims('image1', image1);
  let b = imageDims('image2', image2);
  let img2 = image2;
  if (b.h !== a.h || b.w !== a.w) {
    img2 = commonUpscale(img2, 'nhwc', a.w, a.h, 'bicubic', 'center');
    b = imageDims('image2', img2);
  }
  if (b.n !== a.n && b.n !== 1 && a.n !== 1) throw new NodeInputError('image2', `image2 holds ${b.n} images, image1 ${a.n}: give one, or as many.`);
  const n = Math.max(a.n, b.n);
  const item = a.h * a.w * a.c;
  const mode = MODES[p.blend_mode];
  const k1 = f(1 - p.blend_factor);
  const k2 = f(p.blend_factor);
  const out = new Float32Array(n * item);
  for (let i = 0; i < out.length; i++) {
    const x = image1.data[a.n === 1 ? i % item : i];
    const y = img2.data[b.n === 1 ? i % item : i];
    const v = f(f(x * k1) + f(mode(x, y) * k2));
    out[i] = Math.min(Math.max(v, 0), 1);
  }
  return { IMAGE: { shape: [n, a.h, a.w, a.c], data: out } };
});
