import { defineSchema, modelFile, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'DiffControlNetLoader',
  version: 1,
  title: 'Load ControlNet Model (diff)',
  category: 'loaders',
  description: "Loads a ControlNet; a diff ControlNet (stored as differences) gets the model's UNet weights added back.",
  io: [socket('model', 'MODEL'), modelFile('control_net_name', 'controlnet')],
  outputs: [out1('CONTROL_NET')],
});
