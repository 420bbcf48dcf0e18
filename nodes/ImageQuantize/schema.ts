import { combo, defineSchema, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ImageQuantize',
  version: 1,
  title: 'Image Quantize',
  category: 'image/postprocessing',
  description: "Reduces each image to at most `colors` colours (Pillow's median cut, as ComfyUI), optionally dithered.",
  io: [
    socket('image', 'IMAGE'),
    int('colors', { min: 1, max: 256, step: 1, default: 256 }),
    combo('dither', ['none', 'floyd-steinberg', 'bayer-2', 'bayer-4', 'bayer-8', 'bayer-16']),
  ],
  outputs: [out1('IMAGE')],
});
