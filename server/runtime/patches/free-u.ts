/** FreeU / FreeU_V2 on a MODEL handle: the patch goes into the UNet graph (models/unet.ts), so the key changes. */
import type { ModelHandle } from '../handles';
import type { FreeUPatch } from '../models/unet';

export function withFreeU(model: ModelHandle, p: FreeUPatch): ModelHandle {
  const patch: FreeUPatch = { version: p.version, b1: p.b1, b2: p.b2, s1: p.s1, s2: p.s2 };
  const tag = `freeu${patch.version}(${patch.b1},${patch.b2},${patch.s1},${patch.s2})`;
  return {
    ...model,
    freeU: [...(model.freeU ?? []), patch],
    key: `${model.key}+${tag}`,
    recipe: [...model.recipe, { step: patch.version === 1 ? 'freeu' : 'freeu_v2', ...patch }],
  };
}
