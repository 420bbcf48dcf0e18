import { defineNode } from '../node';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs }) => {
  const layer = params.stop_at_clip_layer;
  // the layer is an encode option, not a weight change: the key (runtime cache) stays the same
  return { CLIP: { ...inputs.clip, layer, recipe: [...inputs.clip.recipe, { step: 'clip_set_last_layer', layer }] } };
});
