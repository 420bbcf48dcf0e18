import { combo, defineSchema, out1 } from '../define';

export const schema = defineSchema({
  id: 'SamplerEulerCFGpp',
  version: 1,
  title: 'SamplerEulerCFG++',
  category: '_for_testing',
  description: 'Euler CFG++ (regular or alternative form).',
  io: [combo('version', ['regular', 'alternative'])],
  outputs: [out1('SAMPLER')],
});
