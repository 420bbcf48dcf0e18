import { combo, defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'CLIPVisionEncode',
  version: 1,
  title: 'CLIP Vision Encode',
  category: 'conditioning',
  description: 'Encodes an image with a CLIP vision model (resized so its short side fits, then centre-cropped or squashed).',
  io: [socket('clip_vision', 'CLIP_VISION'), socket('image', 'IMAGE'), combo('crop', ['center', 'none'])],
  outputs: [out1('CLIP_VISION_OUTPUT')],
});
