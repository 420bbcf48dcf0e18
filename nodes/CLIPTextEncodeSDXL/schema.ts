import type { NodeSchema } from '../types';

const size = (name: string, def: number, description: string) =>
  ({ name, kind: 'int', min: 0, max: 16384, step: 8, default: def, description }) as const;

/** ComfyUI's CLIPTextEncodeSDXL: separate prompts for the two SDXL text encoders plus explicit size conditioning. */
export const schema: NodeSchema = {
  id: 'CLIPTextEncodeSDXL',
  version: 1,
  title: 'Text Encode (SDXL)',
  category: 'conditioning',
  description:
    'SDXL text encoding with explicit size conditioning: text_g goes to OpenCLIP bigG, text_l to CLIP-L. ' +
    'width/height = original size, crop = top-left crop, target = target size (pixels).',
  inputs: [{ name: 'clip', type: 'CLIP' }],
  outputs: [{ name: 'conditioning', type: 'CONDITIONING' }],
  params: [
    size('width', 1024, 'original image width the model is told about'),
    size('height', 1024, 'original image height the model is told about'),
    size('crop_w', 0, 'left edge of the crop'),
    size('crop_h', 0, 'top edge of the crop'),
    size('target_width', 1024, 'target image width'),
    size('target_height', 1024, 'target image height'),
    { name: 'text_g', kind: 'text', multiline: true, default: '', description: 'prompt for the OpenCLIP bigG encoder (also gives the pooled vector)' },
    { name: 'text_l', kind: 'text', multiline: true, default: '', description: 'prompt for the CLIP-L encoder' },
  ],
};
