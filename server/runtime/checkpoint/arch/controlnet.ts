/**
 * ControlNet files as ComfyUI's load_controlnet_state_dict reads them: the layout is told by sentinel keys (a table,
 * first match wins), every layout is brought to the ldm names of comfy/cldm/cldm.py without a prefix, and the config is
 * the UNet encoder's, read from shapes.
 */
import type { StateDict } from '../../io/tensor';
import { diffusersLayout, diffusersToLdmMap } from '../diffusers-unet';
import type { ShapeSource } from './shapes';
import { shapeOf } from './shapes';
import { deriveUNetEncoderConfig, type UNetEncoderConfig } from './unet';

export interface ControlNetConfig extends UNetEncoderConfig {
  /** channels of the hint image (3 for RGB control images) */
  hintChannels: number;
}

export type ControlNetLayout = 'ldm' | 'ldm-unprefixed' | 'diffusers' | 'control-lora' | 't2i-adapter';

/** Layouts ComfyUI's ControlNetLoader knows, by sentinel key; `null`: known but not supported here, with the reason. */
const LAYOUTS: readonly { key: string; layout: ControlNetLayout | null; what: string }[] = [
  { key: 'after_proj_list.18.bias', layout: null, what: 'a Hunyuan-DiT ControlNet' },
  { key: 'lora_controlnet', layout: 'control-lora', what: 'a Control-LoRA' },
  // ComfyUI loads these as diffusers ControlNets with a task embedding and a transformer over the hint features
  {
    key: 'control_add_embedding.linear_1.bias',
    layout: null,
    what: 'a union ControlNet (ControlNet++ / ProMax: not supported; use a single-type ControlNet)',
  },
  { key: 'controlnet_cond_embedding.conv_in.weight', layout: 'diffusers', what: 'a diffusers ControlNet' },
  { key: 'controlnet_blocks.0.weight', layout: null, what: 'an SD3 / Flux / Qwen-Image ControlNet (DiT models are not supported)' },
  { key: 'controlnet_blocks.0.linear.weight', layout: null, what: 'a Mistoline Flux ControlNet (DiT models are not supported)' },
  { key: 'control_model.zero_convs.0.0.weight', layout: 'ldm', what: 'an ldm ControlNet' },
  { key: 'zero_convs.0.0.weight', layout: 'ldm-unprefixed', what: 'an ldm ControlNet' },
  // load_t2i_adapter: what is not a ControlNet by now (controlnet/t2i-config.ts tells the variant)
  { key: 'adapter.body.0.resnets.0.block1.weight', layout: 't2i-adapter', what: 'a T2I-Adapter (diffusers layout)' },
  { key: 'body.0.in_conv.weight', layout: 't2i-adapter', what: 'a T2I-Adapter light' },
  { key: 'conv_in.weight', layout: 't2i-adapter', what: 'a T2I-Adapter' },
  { key: 'backbone.0.0.weight', layout: null, what: 'a Stable Cascade ControlNet (Stable Cascade models are not supported)' },
  { key: 'backbone.10.blocks.0.weight', layout: null, what: 'a Stable Cascade ControlNet (Stable Cascade models are not supported)' },
];

/** The layout of a ControlNet file, or an error naming what it is or the keys it holds. */
export function controlNetLayout(dict: StateDict, source: string): ControlNetLayout {
  for (const row of LAYOUTS) {
    if (!dict.has(row.key)) continue;
    if (row.layout) return row.layout;
    throw new Error(`${source} is ${row.what}`);
  }
  const keys = [...dict.keys()];
  const shown = keys.slice(0, 8).join(', ');
  throw new Error(
    `${source} is not a ControlNet in a known layout (expected control_model.zero_convs.*, zero_convs.*, diffusers controlnet_cond_embedding.* or a T2I-Adapter's conv_in / body.*); it holds ${keys.length} tensor(s): ${shown}${keys.length > 8 ? ', …' : ''}`,
  );
}

/** The ControlNet's tensors under cldm names (no `control_model.` prefix); `difference` (diff ControlNets) is left out. */
export function controlNetToLdm(dict: StateDict, layout: ControlNetLayout, source: string): StateDict {
  const out: StateDict = new Map();
  if (layout !== 'diffusers') {
    const prefix = layout === 'ldm' ? 'control_model.' : '';
    for (const [k, t] of dict) {
      if (k === 'difference' || k === 'lora_controlnet') continue;
      if (!k.startsWith(prefix)) throw new Error(`${source}: tensor ${k} lies outside ${prefix}*`);
      out.set(k.slice(prefix.length), t);
    }
    return out;
  }
  const map = diffusersToLdmMap(diffusersLayout(dict));
  map.set('controlnet_mid_block.weight', 'middle_block_out.0.weight');
  map.set('controlnet_mid_block.bias', 'middle_block_out.0.bias');
  const keys = [...dict.keys()];
  for (const k of keys) {
    const zero = /^controlnet_down_blocks\.(\d+)\.(weight|bias)$/.exec(k);
    if (zero) map.set(k, `zero_convs.${zero[1]}.0.${zero[2]}`);
  }
  // conv_in, blocks.0 … blocks.n-1, conv_out → input_hint_block.0, 2, …, 2n+2 (ComfyUI's loop)
  let blocks = 0;
  while (dict.has(`controlnet_cond_embedding.blocks.${blocks}.weight`)) blocks++;
  for (const s of ['weight', 'bias']) {
    map.set(`controlnet_cond_embedding.conv_in.${s}`, `input_hint_block.0.${s}`);
    for (let i = 0; i < blocks; i++) map.set(`controlnet_cond_embedding.blocks.${i}.${s}`, `input_hint_block.${2 * (i + 1)}.${s}`);
    map.set(`controlnet_cond_embedding.conv_out.${s}`, `input_hint_block.${2 * (blocks + 1)}.${s}`);
  }
  const unknown: string[] = [];
  for (const [k, t] of dict) {
    const ldm = map.get(k);
    if (ldm) out.set(ldm, t);
    else unknown.push(k);
  }
  if (unknown.length > 0) {
    throw new Error(
      `${source}: ${unknown.length} diffusers ControlNet tensor(s) with no ldm name: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`,
    );
  }
  return out;
}

/** The ControlNet's config from its (ldm-named) shapes. */
export function deriveControlNetConfig(src: ShapeSource): ControlNetConfig {
  const hint = shapeOf(src, 'controlnet', 'input_hint_block.0.weight', 4);
  return { ...deriveUNetEncoderConfig(src, 'controlnet'), hintChannels: hint[1] };
}
