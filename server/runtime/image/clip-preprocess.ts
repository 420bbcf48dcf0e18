/**
 * ComfyUI's clip_preprocess: IMAGE [B, H, W, C] → pixels [B, 3, S, S]: resize (bicubic, antialiased) so the short side
 * is S and centre-crop (crop) or squash to S×S, round to 8 bits, normalise by CLIP's mean and std.
 */
import type { F32Tensor } from '../models';
import type { ImageValue } from '../values';
import { bicubicAaPlanes } from './torch-bicubic-aa';

const MEAN = [0.48145466, 0.4578275, 0.40821073];
const STD = [0.26862954, 0.26130258, 0.27577711];

/** torch.round: half to even. */
const pyRound = (x: number) => {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

export function clipPreprocess(image: ImageValue, size: number, crop: boolean): F32Tensor {
  const [b, h, w, ch] = image.shape;
  if (image.shape.length !== 4 || ch < 3) throw new Error(`image: shape [${image.shape.join(', ')}], expected [batch, height, width, 3]`);
  // channels first, alpha dropped
  let planes: Float32Array = new Float32Array(b * 3 * h * w);
  for (let n = 0; n < b; n++)
    for (let k = 0; k < 3; k++) for (let p = 0; p < h * w; p++) planes[(n * 3 + k) * h * w + p] = image.data[(n * h * w + p) * ch + k];
  let [ph, pw] = [h, w];
  if (h !== size || w !== size) {
    const scale = size / Math.min(h, w);
    const [sh, sw] = crop ? [pyRound(scale * h), pyRound(scale * w)] : [size, size];
    planes = bicubicAaPlanes(planes, b * 3, h, w, sh, sw);
    const y0 = Math.floor((sh - size) / 2);
    const x0 = Math.floor((sw - size) / 2);
    const cut = new Float32Array(b * 3 * size * size);
    for (let p = 0; p < b * 3; p++)
      for (let y = 0; y < size; y++) cut.set(planes.subarray((p * sh + y + y0) * sw + x0, (p * sh + y + y0) * sw + x0 + size), (p * size + y) * size);
    planes = cut;
    [ph, pw] = [size, size];
  }
  const out = new Float32Array(planes.length);
  const f = Math.fround;
  for (let n = 0; n < b; n++) {
    for (let k = 0; k < 3; k++) {
      const off = (n * 3 + k) * ph * pw;
      for (let p = 0; p < ph * pw; p++) {
        // torch: clip(255·x, 0, 255).round() / 255, then (x − mean) / std, all float32
        const v = Math.min(255, Math.max(0, f(255 * planes[off + p])));
        const q = f(pyRound(v) / 255);
        out[off + p] = f(f(q - f(MEAN[k])) / f(STD[k]));
      }
    }
  }
  return { shape: [b, 3, ph, pw], data: out };
}
