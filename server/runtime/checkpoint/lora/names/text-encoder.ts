import type { TensorSlice } from '../types';

/** A text-encoder module in HF CLIP naming (what every LoRA uses) and where its weight and bias live. */
export interface TextEncoderModule {
  /** HF module path, e.g. `text_model.encoder.layers.0.self_attn.q_proj` */
  readonly hf: string;
  readonly weight: TensorSlice;
  readonly bias: TensorSlice;
}

/** The per-layer modules LoRAs adapt, in HF CLIPTextModel naming. */
export const HF_LAYER_MODULES: readonly string[] = [
  'self_attn.q_proj',
  'self_attn.k_proj',
  'self_attn.v_proj',
  'self_attn.out_proj',
  'mlp.fc1',
  'mlp.fc2',
];

/**
 * HF module -> OpenCLIP tensors. q/k/v are thirds of the packed `in_proj_weight` (rows [part·d, (part+1)·d)),
 * as ComfyUI's OpenCLIP -> HF conversion slices them.
 */
export const OPENCLIP_LAYER_MODULES: readonly { hf: string; weight: string; bias: string; part?: number }[] = [
  { hf: 'self_attn.q_proj', weight: 'attn.in_proj_weight', bias: 'attn.in_proj_bias', part: 0 },
  { hf: 'self_attn.k_proj', weight: 'attn.in_proj_weight', bias: 'attn.in_proj_bias', part: 1 },
  { hf: 'self_attn.v_proj', weight: 'attn.in_proj_weight', bias: 'attn.in_proj_bias', part: 2 },
  { hf: 'self_attn.out_proj', weight: 'attn.out_proj.weight', bias: 'attn.out_proj.bias' },
  { hf: 'mlp.fc1', weight: 'mlp.c_fc.weight', bias: 'mlp.c_fc.bias' },
  { hf: 'mlp.fc2', weight: 'mlp.c_proj.weight', bias: 'mlp.c_proj.bias' },
];

// the provider may be rooted anywhere above `encoder.layers` (cond_stage_model., ….transformer.text_model.)
const HF_LAYER = /^(.*?)encoder\.layers\.(\d+)\.(.+)\.weight$/;
const OPENCLIP_LAYER = /^(.*?)transformer\.resblocks\.(\d+)\.(.+)$/;

/**
 * The adaptable modules of a text encoder, for either layout, found in the component's parameter names.
 * `rowsOf(name)` gives dim 0 of a tensor (needed to cut the packed q/k/v).
 */
export function textEncoderModules(names: readonly string[], rowsOf: (name: string) => number): TextEncoderModule[] {
  const out: TextEncoderModule[] = [];
  const hfSet = new Set(HF_LAYER_MODULES);
  for (const name of names) {
    const hf = HF_LAYER.exec(name);
    if (hf && hfSet.has(hf[3])) {
      const module = name.slice(0, -'.weight'.length);
      out.push({ hf: `text_model.encoder.layers.${hf[2]}.${hf[3]}`, weight: { name }, bias: { name: `${module}.bias` } });
      continue;
    }
    const oc = OPENCLIP_LAYER.exec(name);
    if (!oc) continue;
    for (const m of OPENCLIP_LAYER_MODULES) {
      if (oc[3] !== m.weight) continue;
      const base = `${oc[1]}transformer.resblocks.${oc[2]}.`;
      const hfName = `text_model.encoder.layers.${oc[2]}.${m.hf}`;
      if (m.part === undefined) {
        out.push({ hf: hfName, weight: { name }, bias: { name: base + m.bias } });
      } else {
        const d = rowsOf(name) / 3;
        const rows = { start: m.part * d, count: d };
        out.push({ hf: hfName, weight: { name, rows }, bias: { name: base + m.bias, rows } });
      }
    }
  }
  return out;
}
