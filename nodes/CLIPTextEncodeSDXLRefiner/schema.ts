import { defineSchema, float, int, out1, socket, text } from '../define';

/** ComfyUI's CLIPTextEncodeSDXLRefiner (comfy_extras/nodes_clip_sdxl.py): a refiner prompt with its aesthetic score and size. */
export const schema = defineSchema({
  id: 'CLIPTextEncodeSDXLRefiner',
  version: 1,
  title: 'CLIP Text Encode (SDXL Refiner)',
  category: 'advanced/conditioning',
  description:
    'Text encoding for the SDXL refiner (OpenCLIP bigG only) with its aesthetic score and the original image size it is told about. ' +
    'ComfyUI without this node scores positive prompts 6 and negative prompts 2.5.',
  io: [
    float('ascore', { min: 0, max: 1000, step: 0.01, default: 6, description: 'aesthetic score the refiner is conditioned on' }),
    int('width', { min: 0, max: 16384, default: 1024, description: 'original image width the model is told about' }),
    int('height', { min: 0, max: 16384, default: 1024, description: 'original image height the model is told about' }),
    text('text', { multiline: true }),
    socket('clip', 'CLIP'),
  ],
  outputs: [out1('CONDITIONING')],
});
