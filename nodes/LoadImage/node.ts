import fs from 'node:fs/promises';
import { defineNode } from '../node';
import { decodeInputImage } from '../_io/image-input';
import { schema } from './schema';

export default defineNode(schema, async ({ params }) => {
  const { image, mask } = await decodeInputImage(await fs.readFile(params.image.path), params.image.name);
  return { IMAGE: image, MASK: mask };
});
