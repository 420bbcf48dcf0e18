import { defineNode } from '../node';
import { samplerNodes } from '../../server/runtime/sampling/custom-sample';
import { schema } from './schema';

export default defineNode(schema, async ({ params }) => {
  // ComfyUI's "alternative" is a separate experimental Euler step (comfy_extras/nodes_advanced_samplers.py)
  if (params.version === 'alternative')
    throw new Error('version "alternative" (ComfyUI\'s experimental Euler CFG++ variant) is not implemented; use "regular"');
  return { SAMPLER: samplerNodes.KSamplerSelect({ sampler_name: 'euler_cfg_pp' }) };
});
