import { combo, defineSchema, modelFile, out1 } from '../define';

/** ComfyUI's list, so any workflow imports; types other than sdxl fail when run, by name */
export const DUAL_CLIP_TYPES = [
  'sdxl',
  'sd3',
  'flux',
  'hunyuan_video',
  'hidream',
  'hunyuan_image',
  'hunyuan_video_15',
  'kandinsky5',
  'kandinsky5_image',
  'ltxv',
  'newbie',
] as const;

export const schema = defineSchema({
  id: 'DualCLIPLoader',
  version: 1,
  title: 'DualCLIPLoader',
  category: 'advanced/loaders',
  description: "Loads SDXL's two text encoders (CLIP-L and OpenCLIP-bigG, in either order) from models/text_encoders or models/clip.",
  io: [
    modelFile('clip_name1', 'text_encoders'),
    modelFile('clip_name2', 'text_encoders'),
    combo('type', DUAL_CLIP_TYPES),
    combo('device', ['default', 'cpu'], {
      optional: true,
      description: 'where ComfyUI keeps the encoders; here they run where the other models run',
    }),
  ],
  outputs: [out1('CLIP')],
});
