import type { LoraNaming, LoraSlot } from '../types';

/** How a tensor key ends -> its role in the module. Checked longest first; the module name is what precedes it. */
export interface SuffixRule {
  readonly suffix: string;
  readonly slot: LoraSlot;
  /** undefined for roles every naming shares (alpha, dora_scale) */
  readonly naming?: LoraNaming;
}

export const SUFFIX_RULES: readonly SuffixRule[] = (
  [
    // kohya sd-scripts / LoCon
    { suffix: '.lora_up.weight', slot: 'up', naming: 'kohya' },
    { suffix: '.lora_down.weight', slot: 'down', naming: 'kohya' },
    { suffix: '.lora_mid.weight', slot: 'mid', naming: 'kohya' },
    { suffix: '.alpha', slot: 'alpha' },
    { suffix: '.dora_scale', slot: 'dora_scale' },
    // PEFT
    { suffix: '.lora_B.weight', slot: 'up', naming: 'peft' },
    { suffix: '.lora_A.weight', slot: 'down', naming: 'peft' },
    // diffusers (attention processors, LoRACompatible layers, transformers' text encoder LoRA)
    { suffix: '_lora.up.weight', slot: 'up', naming: 'diffusers' },
    { suffix: '_lora.down.weight', slot: 'down', naming: 'diffusers' },
    { suffix: '.lora.up.weight', slot: 'up', naming: 'diffusers' },
    { suffix: '.lora.down.weight', slot: 'down', naming: 'diffusers' },
    { suffix: '.lora_linear_layer.up.weight', slot: 'up', naming: 'diffusers' },
    { suffix: '.lora_linear_layer.down.weight', slot: 'down', naming: 'diffusers' },
    // LyCORIS LoHa / LoKr
    { suffix: '.hada_w1_a', slot: 'hada_w1_a', naming: 'lycoris' },
    { suffix: '.hada_w1_b', slot: 'hada_w1_b', naming: 'lycoris' },
    { suffix: '.hada_w2_a', slot: 'hada_w2_a', naming: 'lycoris' },
    { suffix: '.hada_w2_b', slot: 'hada_w2_b', naming: 'lycoris' },
    { suffix: '.hada_t1', slot: 'hada_t1', naming: 'lycoris' },
    { suffix: '.hada_t2', slot: 'hada_t2', naming: 'lycoris' },
    { suffix: '.lokr_w1', slot: 'lokr_w1', naming: 'lycoris' },
    { suffix: '.lokr_w1_a', slot: 'lokr_w1_a', naming: 'lycoris' },
    { suffix: '.lokr_w1_b', slot: 'lokr_w1_b', naming: 'lycoris' },
    { suffix: '.lokr_w2', slot: 'lokr_w2', naming: 'lycoris' },
    { suffix: '.lokr_w2_a', slot: 'lokr_w2_a', naming: 'lycoris' },
    { suffix: '.lokr_w2_b', slot: 'lokr_w2_b', naming: 'lycoris' },
    { suffix: '.lokr_t2', slot: 'lokr_t2', naming: 'lycoris' },
    // full-weight differences
    { suffix: '.diff', slot: 'diff', naming: 'full' },
    { suffix: '.diff_b', slot: 'diff_b', naming: 'full' },
  ] satisfies SuffixRule[]
).sort((a, b) => b.suffix.length - a.suffix.length);

export function matchSuffix(key: string): { module: string; rule: SuffixRule } | undefined {
  for (const rule of SUFFIX_RULES) {
    if (key.endsWith(rule.suffix) && key.length > rule.suffix.length) {
      return { module: key.slice(0, key.length - rule.suffix.length), rule };
    }
  }
  return undefined;
}
