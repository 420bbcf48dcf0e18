import fs from 'node:fs/promises';
import { PNG } from 'pngjs';
import { defineNode } from '../node';
import { checkPngSize } from '../_io/png-size';
import { schema } from './schema';

/**
 * ComfyUI converts the image to RGBA and takes the channel: grey, RGB and palette images gain an opaque alpha, so
 * their alpha mask is all 0; values are v / 255 in float32, alpha as 1 − that.
 */
export default defineNode(schema, async ({ params: p }) => {
  const bytes = await fs.readFile(p.image.path);
  const { width, height } = checkPngSize(bytes, p.image.name);
  const png = PNG.sync.read(bytes);
  const k = ['red', 'green', 'blue', 'alpha'].indexOf(p.channel);
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) {
    const v = Math.fround(png.data[i * 4 + k] / 255);
    data[i] = k === 3 ? 1 - v : v;
  }
  return { MASK: { shape: [1, height, width], data } };
});
