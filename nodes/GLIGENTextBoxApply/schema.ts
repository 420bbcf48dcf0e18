import { defineSchema, int, out1, socket, text } from '../define';

const side = { min: 8, max: 16384, step: 8, default: 64 } as const;
const offset = { min: 0, max: 16384, step: 8, default: 0 } as const;

export const schema = defineSchema({
  id: 'GLIGENTextBoxApply',
  version: 1,
  title: 'GLIGENTextBoxApply',
  category: 'conditioning/gligen',
  description:
    'Places a phrase in a box of the image (pixels): GLIGEN grounds the conditioning so the phrase appears there. Boxes accumulate when chained.',
  io: [
    socket('conditioning_to', 'CONDITIONING'),
    socket('clip', 'CLIP'),
    socket('gligen_textbox_model', 'GLIGEN'),
    text('text', { multiline: true }),
    int('width', { ...side, description: 'box width in pixels' }),
    int('height', { ...side, description: 'box height in pixels' }),
    int('x', { ...offset, description: 'box left edge in pixels' }),
    int('y', { ...offset, description: 'box top edge in pixels' }),
  ],
  outputs: [out1('CONDITIONING')],
});
