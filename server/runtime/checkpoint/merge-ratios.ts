import { CheckpointError } from './errors';
import type { ComponentName, Family } from './families';

export type MergeMode = 'weighted' | 'add-difference';

/** Where ratios come from: one base value, optional per-component overrides, optional per-UNet-block list. */
export interface MergeRatios {
  /** weighted: alpha in (1-alpha)·A + alpha·B; add-difference: multiplier m in A + m·(B−C) */
  base: number;
  unet?: number;
  textEncoder?: number;
  vae?: number;
  /** UNet per-block ratios: input blocks, middle, output blocks (25 for SD1/SD2, 19 for SDXL) */
  blocks?: number[];
}

/** UNet block counts per family: [input blocks, output blocks]; the middle block sits between. */
export const UNET_BLOCKS: Record<Family, { input: number; output: number }> = {
  sd1: { input: 12, output: 12 },
  sd2: { input: 12, output: 12 },
  sdxl: { input: 9, output: 9 },
  sdxl_refiner: { input: 12, output: 12 },
};

export function blockCount(family: Family): number {
  const b = UNET_BLOCKS[family];
  return b.input + 1 + b.output;
}

export function validateRatios(r: MergeRatios, family: Family): void {
  const all = [r.base, r.unet, r.textEncoder, r.vae, ...(r.blocks ?? [])];
  for (const v of all) if (v !== undefined && !Number.isFinite(v)) throw new CheckpointError(`merge ratio ${v} is not a finite number`);
  if (r.blocks && r.blocks.length !== blockCount(family)) {
    throw new CheckpointError(
      `${family} needs ${blockCount(family)} block ratios (input ${UNET_BLOCKS[family].input}, middle 1, output ${UNET_BLOCKS[family].output}), got ${r.blocks.length}`,
    );
  }
}

const TEXT: ReadonlySet<ComponentName> = new Set(['clip', 'clip_l', 'clip_g']);

/**
 * The ratio for one tensor, given its component and its component-relative name. UNet tensors
 * outside the numbered blocks (time_embed, label_emb, out) take the UNet (or base) ratio, as A1111 does.
 */
export function ratioFor(r: MergeRatios, family: Family, component: ComponentName, name: string): number {
  if (component === 'vae') return r.vae ?? r.base;
  if (TEXT.has(component)) return r.textEncoder ?? r.base;
  const unet = r.unet ?? r.base;
  if (!r.blocks) return unet;
  const b = UNET_BLOCKS[family];
  const m = /^(input_blocks|output_blocks)\.(\d+)\./.exec(name);
  if (m) {
    const i = Number(m[2]);
    if (m[1] === 'input_blocks') return i < b.input ? r.blocks[i] : unet;
    return i < b.output ? r.blocks[b.input + 1 + i] : unet;
  }
  if (name.startsWith('middle_block.')) return r.blocks[b.input];
  return unet;
}
