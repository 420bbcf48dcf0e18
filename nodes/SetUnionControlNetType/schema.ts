import { combo, defineSchema, out1, socket } from '../define';

/** ComfyUI's UNION_CONTROLNET_TYPES (comfy/cldm/control_types.py), after "auto". */
export const UNION_TYPES = [
  'auto',
  'openpose',
  'depth',
  'hed/pidi/scribble/ted',
  'canny/lineart/anime_lineart/mlsd',
  'normal',
  'segment',
  'tile',
  'repaint',
] as const;

export const schema = defineSchema({
  id: 'SetUnionControlNetType',
  version: 1,
  title: 'SetUnionControlNetType',
  category: 'conditioning/controlnet',
  description: 'Tells a union ControlNet (ControlNet++) which kind of hint it gets; other ControlNets ignore it.',
  io: [socket('control_net', 'CONTROL_NET'), combo('type', UNION_TYPES)],
  outputs: [out1('CONTROL_NET')],
});
