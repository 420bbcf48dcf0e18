import fs from 'node:fs/promises';
import { defineNode } from '../node';
import { decodeInputMask } from '../_io/image-input';
import { schema } from './schema';

/**
 * ComfyUI converts the image to RGBA and takes the channel (grey, RGB and palette images gain an opaque alpha, so
 * their alpha mask is all 0); alpha is inverted. Decoding, and the size check before it, are the shared image codecs'.
 */
export default defineNode(schema, async ({ params: p }) => ({
  MASK: await decodeInputMask(await fs.readFile(p.image.path), p.image.name, p.channel),
}));
