import { combo, defineSchema, out1 } from '../define';
import { SAMPLER_NAMES } from '../../server/runtime/sampling/names';

export const schema = defineSchema({
  id: 'KSamplerSelect',
  version: 1,
  title: 'KSamplerSelect',
  category: 'sampling/custom_sampling/samplers',
  description: 'Picks a sampler by name for SamplerCustom / SamplerCustomAdvanced.',
  io: [combo('sampler_name', SAMPLER_NAMES)],
  outputs: [out1('SAMPLER')],
});
