import { combo, defineSchema, modelFile, out1 } from '../define';

/** ComfyUI's list, so any workflow imports; types other than stable_diffusion fail when run, by name */
export const CLIP_TYPES = [
  'stable_diffusion',
  'stable_cascade',
  'sd3',
  'stable_audio',
  'mochi',
  'ltxv',
  'pixart',
  'cosmos',
  'lumina2',
  'wan',
  'hidream',
  'chroma',
  'ace',
  'omnigen2',
  'qwen_image',
  'hunyuan_image',
  'flux2',
  'ovis',
] as const;

export const schema = defineSchema({
  id: 'CLIPLoader',
  version: 1,
  title: 'Load CLIP',
  category: 'advanced/loaders',
  description: 'Loads a text encoder file alone (SD1 CLIP-L or SD2 OpenCLIP-H), from models/text_encoders or models/clip.',
  io: [
    modelFile('clip_name', 'text_encoders'),
    combo('type', CLIP_TYPES),
    combo('device', ['default', 'cpu'], { optional: true, description: 'where ComfyUI keeps the encoder; here it runs where the other models run' }),
  ],
  outputs: [out1('CLIP')],
});
