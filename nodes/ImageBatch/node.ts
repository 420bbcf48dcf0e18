import { defineNode } from '../node';
import type { ImageValue } from '../../server/runtime/values';
import { assertFits, imageDims, NodeInputError } from '../_tensor/checks';
import { concatBatch } from '../../server/runtime/image/batch';
import { commonUpscale } from '../../server/runtime/image/common-upscale';
import { schema } from './schema';

/** F.pad(image, (0, 1), value=1.0): one more channel of 1s. */
function addChannel(image: ImageValue): ImageValue {
  const c = image.shape[3];
  const px = image.data.length / c;
  const data = new Float32Array(px * (c + 1)).fill(1);
  for (let i = 0; i < px; i++) data.set(image.data.subarray(i * c, i * c + c), i * (c + 1));
  return { shape: [...image.shape.slice(0, 3), c + 1], data };
}

export default defineNode(schema, async ({ inputs }) => {
  let [image1, image2] = [inputs.image1, inputs.image2];
  // ComfyUI pads whichever has fewer channels by one channel of 1s
  if (image1.shape[3] > image2.shape[3]) image2 = addChannel(image2);
  else if (image1.shape[3] < image2.shape[3]) image1 = addChannel(image1);
  const a = imageDims('image1', image1);
  const b = imageDims('image2', image2);
  if (a.c !== b.c)
    throw new NodeInputError(
      'image2',
      `image1 has ${inputs.image1.shape[3]} channels and image2 ${inputs.image2.shape[3]}: they cannot share a batch.`,
    );
  assertFits('image2', [a.n + b.n, a.h, a.w, a.c], 'the joined batch');
  if (b.h !== a.h || b.w !== a.w) image2 = commonUpscale(image2, 'nhwc', a.w, a.h, 'bilinear', 'center');
  return { IMAGE: concatBatch([image1, image2]) };
});
