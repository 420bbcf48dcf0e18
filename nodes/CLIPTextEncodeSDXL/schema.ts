import { defineSchema, int, out1, socket, text } from '../define';

const size = <const N extends string>(name: N, def: number, description: string) => int(name, { min: 0, max: 16384, default: def, description });

/** ComfyUI's CLIPTextEncodeSDXL: separate prompts for the two SDXL text encoders plus explicit size conditioning. */
export const schema = defineSchema({
  id: 'CLIPTextEncodeSDXL',
  version: 1,
  title: 'CLIP Text Encode (SDXL)',
  category: 'advanced/conditioning',
  description:
    'SDXL text encoding with explicit size conditioning: text_g goes to OpenCLIP bigG, text_l to CLIP-L. ' +
    'width/height = original size, crop = top-left crop, target = target size (pixels).',
  io: [
    socket('clip', 'CLIP'),
    size('width', 1024, 'original image width the model is told about'),
    size('height', 1024, 'original image height the model is told about'),
    size('crop_w', 0, 'left edge of the crop'),
    size('crop_h', 0, 'top edge of the crop'),
    size('target_width', 1024, 'target image width'),
    size('target_height', 1024, 'target image height'),
    text('text_g', {
      multiline: true,
      label: 'text_g (OpenCLIP bigG)',
      description: 'prompt for the OpenCLIP bigG encoder (also gives the pooled vector)',
    }),
    text('text_l', { multiline: true, label: 'text_l (CLIP-L)', description: 'prompt for the CLIP-L encoder' }),
  ],
  outputs: [out1('CONDITIONING')],
});
