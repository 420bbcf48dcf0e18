import { defineNode } from '../node';
import { imageDims } from '../_tensor/checks';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs }) => {
  const d = imageDims('image', inputs.image);
  return { width: d.w, height: d.h, batch_size: d.n };
});
