/** A standalone VAE file (LDM layout, optionally under first_stage_model., or diffusers layout) → a VAE handle, loaded once per file version. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelCache } from '../model-cache';
import { fileIdentity } from '../checkpoint/hash';
import { stateDictProvider, stripPrefix } from '../checkpoint/provider';
import { openCheckpointFile } from '../io/checkpoint-file';
import { diffusersVaeToLdm, isDiffusersVae } from '../checkpoint/diffusers-vae';
import type { VaeHandle } from '../handles';

/** A standalone VAE: LDM layout (optionally under first_stage_model.) or diffusers AutoencoderKL layout. */
export async function cachedVae(models: ModelCache, file: string, signal?: AbortSignal): Promise<VaeHandle> {
  const id = await fileIdentity(file);
  const bytes = (await stat(file)).size;
  return models.get(`vae-file|${id}`, async () => {
    const f = await openCheckpointFile(file, { signal });
    const prefixed = [...f.tensors.keys()].some((k) => k.startsWith('first_stage_model.'));
    const raw = prefixed ? stripPrefix(f.tensors, 'first_stage_model.') : f.tensors;
    const dict = isDiffusersVae(raw) ? diffusersVaeToLdm(raw, path.basename(file)) : raw;
    if (!dict.has('decoder.conv_in.weight')) {
      throw new Error(
        `${path.basename(file)} is not a VAE (neither LDM nor diffusers layout: no decoder.conv_in.weight${prefixed ? ' under first_stage_model.' : ''})`,
      );
    }
    const value: VaeHandle = {
      kind: 'vae',
      vae: stateDictProvider(dict, `${id}/vae`),
      key: `${id}/vae`,
      recipe: [{ step: 'vae', file: path.basename(file) }],
    };
    return { value, bytes };
  });
}
