import type { WeightProvider } from '../../weights';
import type { LoraComponent, ModuleTarget } from '../types';
import { textEncoderModules } from './text-encoder';
import { unetModulePairs } from './unet-diffusers';
import { unetLayoutFromNames } from './unet-layout';

/**
 * How LoRA files spell modules of each component (ComfyUI model_lora_keys_unet / model_lora_keys_clip):
 * `underscored` prefixes precede the module path with `.` -> `_` (kohya), `dotted` ones keep the dots
 * (diffusers / PEFT). `claims` are the prefixes that say a key belongs to this component at all.
 */
interface ComponentNaming {
  readonly underscored: readonly string[];
  readonly dotted: readonly string[];
  readonly claims: readonly string[];
}

const UNET_CLAIMS = ['lora_unet_', 'lycoris_', 'unet.', 'diffusion_model.', 'down_blocks.', 'mid_block.', 'up_blocks.'];
const TE_CLAIMS = ['lora_te_', 'lora_te1_', 'text_encoder.'];

export const COMPONENT_NAMING: Record<LoraComponent, ComponentNaming> = {
  unet: { underscored: ['lora_unet_', 'lycoris_'], dotted: ['unet.', ''], claims: UNET_CLAIMS },
  clip: { underscored: ['lora_te_', 'lora_te1_'], dotted: ['text_encoder.'], claims: TE_CLAIMS },
  clip_l: { underscored: ['lora_te1_', 'lora_te_'], dotted: ['text_encoder.'], claims: TE_CLAIMS },
  clip_g: { underscored: ['lora_te2_'], dotted: ['text_encoder_2.'], claims: ['lora_te2_', 'text_encoder_2.'] },
};

/** LDM names LoRAs may use directly (SGM-style kohya names and "generic" dotted keys). */
const LDM_UNDERSCORED = ['lora_unet_'];
const LDM_DOTTED = ['diffusion_model.'];

export interface KeyTarget extends ModuleTarget {
  /** the LDM module it lands on, for reports */
  readonly ldm: string;
}

export interface LoraKeyMap {
  readonly component: LoraComponent;
  readonly targets: ReadonlyMap<string, KeyTarget>;
  readonly claims: readonly string[];
}

const underscore = (s: string) => s.replace(/\./g, '_');

/** Old diffusers attention-processor naming: `attn1.processor.to_q`, `to_out` without `.0`. */
function processorForm(diffusers: string): string {
  return diffusers.replace(/\.to_(q|k|v|out)/g, '.processor.to_$1').replace(/\.to_out\.0$/, '.to_out');
}

function add(map: Map<string, KeyTarget>, alias: string, target: KeyTarget) {
  if (!map.has(alias)) map.set(alias, target);
}

/** Every LoRA module name that can patch this component, derived from the component's own parameter names. */
export function buildKeyMap(component: LoraComponent, base: WeightProvider): LoraKeyMap {
  const naming = COMPONENT_NAMING[component];
  const names = base.names();
  const map = new Map<string, KeyTarget>();
  if (component === 'unet') {
    for (const { diffusers, ldm } of unetModulePairs(unetLayoutFromNames(names))) {
      if (!base.has(`${ldm}.weight`)) continue;
      const target: KeyTarget = { ldm, weight: { name: `${ldm}.weight` }, bias: { name: `${ldm}.bias` } };
      for (const p of naming.underscored) add(map, p + underscore(diffusers), target);
      for (const p of naming.dotted) {
        add(map, p + diffusers, target);
        add(map, p + processorForm(diffusers), target);
      }
    }
    for (const name of names) {
      if (!name.endsWith('.weight')) continue;
      const ldm = name.slice(0, -'.weight'.length);
      const target: KeyTarget = { ldm, weight: { name }, bias: { name: `${ldm}.bias` } };
      for (const p of LDM_UNDERSCORED) add(map, p + underscore(ldm), target);
      for (const p of LDM_DOTTED) add(map, p + ldm, target);
    }
  } else {
    for (const m of textEncoderModules(names, (n) => base.info(n).shape[0])) {
      const target: KeyTarget = { ldm: m.weight.name, weight: m.weight, bias: m.bias };
      for (const p of naming.underscored) add(map, p + underscore(m.hf), target);
      for (const p of naming.dotted) add(map, p + m.hf, target);
    }
  }
  return { component, targets: map, claims: naming.claims };
}

export function claimedBy(key: string, claims: readonly string[]): boolean {
  return claims.some((c) => key.startsWith(c));
}
