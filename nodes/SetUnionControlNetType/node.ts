import { defineNode } from '../node';
import { schema } from './schema';

// ComfyUI sets the extra argument control_type on a copy; the ControlNets we load (ldm, diffusers, diff, Control-LoRA,
// SD1/SD2/SDXL) take no such argument and ignore it in ComfyUI too (cldm's forward swallows **kwargs), and union
// ControlNet++ files are refused by the loader, so the ControlNet passes through unchanged.
export default defineNode(schema, async ({ inputs }) => ({ CONTROL_NET: inputs.control_net }));
