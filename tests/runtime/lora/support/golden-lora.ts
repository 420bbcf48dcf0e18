import { readFileSync } from 'node:fs';
import { golden } from '../../../helpers/golden';
import { openLora } from '../../../../server/runtime/checkpoint/lora/source';
import type { WeightProvider } from '../../../../server/runtime/checkpoint/weights';
import { openCheckpoint, prefixProvider } from './fixtures';

export const UNET_PREFIX = 'model.diffusion_model.';
export const CLIP_PREFIX = 'cond_stage_model.';

/** The README's table: kohya module -> checkpoint key it must patch. */
export function expectedTargets(): Map<string, string> {
  const text = readFileSync(golden('lora', 'README.md'), 'utf8');
  const rows = new Map<string, string>();
  for (const m of text.matchAll(/^\| `(lora_[a-z0-9_]+)` \| [^|]+ \| `([^`]+)` \|$/gm)) rows.set(m[1], m[2]);
  return rows;
}

export async function tinySd1(): Promise<{ unet: WeightProvider; clip: WeightProvider }> {
  const dict = await openCheckpoint(golden('tiny-sd1', 'model.safetensors'));
  return { unet: prefixProvider(dict, UNET_PREFIX, 'tiny-sd1/unet'), clip: prefixProvider(dict, CLIP_PREFIX, 'tiny-sd1/clip') };
}

export const goldenLora = () => openLora(golden('lora', 'tiny-sd1-lora.safetensors'));
