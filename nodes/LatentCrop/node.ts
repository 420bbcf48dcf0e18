import { defineNode } from '../node';
import { latentDims, NodeInputError, withSamples } from '../_tensor/checks';
import { pySlice } from '../_tensor/slices';
import { cropHW } from '../../server/runtime/image/common-upscale';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const d = latentDims('samples', inputs.samples);
  // ComfyUI moves the corner back to 8 latent pixels (64 px) from the far edge, then slices as Python does
  const x = Math.min(Math.floor(p.x / 8), d.w - 8);
  const y = Math.min(Math.floor(p.y / 8), d.h - 8);
  const [x0, x1] = pySlice(x, x + Math.floor(p.width / 8), d.w);
  const [y0, y1] = pySlice(y, y + Math.floor(p.height / 8), d.h);
  if (x1 === x0 || y1 === y0) throw new NodeInputError('x', `the crop leaves nothing of the ${d.w * 8}x${d.h * 8} px latent.`);
  return { LATENT: withSamples(inputs.samples, cropHW(inputs.samples.samples, 'nchw', y0, x0, y1 - y0, x1 - x0)) };
});
