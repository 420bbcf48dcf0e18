import { readFileSync } from 'node:fs';
import { golden } from '../../../helpers/golden';
import { openLora } from '../../../../server/runtime/checkpoint/lora/source';
import type { WeightProvider } from '../../../../server/runtime/checkpoint/weights';
import { fileComponent } from '../../../helpers/model-weights';

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
  const file = golden('tiny-sd1', 'model.safetensors');
  const [unet, clip] = await Promise.all([fileComponent(file, UNET_PREFIX), fileComponent(file, CLIP_PREFIX)]);
  return { unet, clip };
}

export const goldenLora = () => openLora(golden('lora', 'tiny-sd1-lora.safetensors'));
