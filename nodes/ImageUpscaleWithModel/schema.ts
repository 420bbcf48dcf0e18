import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ImageUpscaleWithModel',
  version: 1,
  title: 'Upscale Image (using Model)',
  category: 'image/upscaling',
  description: "Upscales images with an upscale model, in 512-pixel tiles overlapping by 32 (ComfyUI's tiled_scale), clamped to [0, 1].",
  io: [socket('upscale_model', 'UPSCALE_MODEL'), socket('image', 'IMAGE')],
  outputs: [out1('IMAGE')],
});
