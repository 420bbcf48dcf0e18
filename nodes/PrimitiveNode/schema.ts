import { anyValue, defineSchema, out } from '../define';

/**
 * ComfyUI's frontend Primitive: one value driving the widgets it is linked to (a seed shared by two samplers, one
 * size for several nodes). Before a run its value is written into every widget it drives; it never runs itself.
 */
export const schema = defineSchema({
  id: 'PrimitiveNode',
  version: 1,
  title: 'Primitive',
  category: 'utils',
  description: 'One value that drives every widget it is linked to.',
  io: [anyValue('value')],
  outputs: [out('connect to widget input', '*')],
  frontendOnly: true,
});
