import type { NodeRunner } from '../runner';
import { expectInput, isClipHandle, type ClipHandle } from '../../server/runtime/pipeline/handles';
import { numberParam } from '../../server/runtime/pipeline/node-params';

export const run: NodeRunner = async (ctx) => {
  const clip = expectInput('CLIPSetLastLayer', 'clip', ctx.inputs.clip, isClipHandle, 'a CLIP');
  const layer = numberParam('CLIPSetLastLayer', ctx, 'stop_at_clip_layer');
  if (!Number.isInteger(layer) || layer >= 0) throw new Error(`CLIPSetLastLayer: stop_at_clip_layer must be a negative integer, got ${layer}.`);
  // the layer is an encode option, not a weight change: the key (runtime cache) stays the same
  const out: ClipHandle = { ...clip, layer, recipe: [...clip.recipe, { step: 'clip_set_last_layer', layer }] };
  return { clip: out };
};
