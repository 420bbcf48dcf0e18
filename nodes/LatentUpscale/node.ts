import { defineNode } from '../node';
import { assertFits, latentDims, withSamples } from '../_tensor/checks';
import { commonUpscale, pyRound } from '../../server/runtime/image/common-upscale';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const latent = inputs.samples;
  if (p.width === 0 && p.height === 0) return { LATENT: latent };
  const d = latentDims('samples', latent);
  // ComfyUI: a 0 side follows the aspect ratio; both sides at least 64 px
  let { width, height } = p;
  if (width === 0) {
    height = Math.max(64, height);
    width = Math.max(64, pyRound((d.w * height) / d.h));
  } else if (height === 0) {
    width = Math.max(64, width);
    height = Math.max(64, pyRound((d.h * width) / d.w));
  } else {
    width = Math.max(64, width);
    height = Math.max(64, height);
  }
  const [w, h] = [Math.floor(width / 8), Math.floor(height / 8)];
  assertFits('width', [d.n, d.c, h, w], 'the upscaled latent');
  return { LATENT: withSamples(latent, commonUpscale(latent.samples, 'nchw', w, h, p.upscale_method, p.crop)) };
});
