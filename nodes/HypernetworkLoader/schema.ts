import { defineSchema, float, modelFile, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'HypernetworkLoader',
  version: 1,
  title: 'Load Hypernetwork',
  category: 'loaders',
  description: "Patches the model's attention with an A1111 hypernetwork (.pt) from models/hypernetworks.",
  io: [socket('model', 'MODEL'), modelFile('hypernetwork_name', 'hypernetworks'), float('strength', { min: -10, max: 10, step: 0.01, default: 1 })],
  outputs: [out1('MODEL')],
});
