import type { NodeRunner } from '../runner';
import { safeJoin } from '../../server/config/paths';
import { openSafetensors } from '../../server/runtime/io/safetensors';
import { toFloat32 } from '../../server/runtime/io/dtype';
import { LATENT_KEY, LATENT_MARKER, LEGACY_LATENT_SCALE } from '../_io/latent-format';
import type { LatentValue } from '../values';

export const run: NodeRunner = async ({ params, paths }) => {
  const file = safeJoin(paths.input, String(params.latent));
  if (!file) throw new Error(`LoadLatent: "${params.latent}" is outside the input folder.`);
  const st = await openSafetensors(file);
  const ref = st.tensors.get(LATENT_KEY);
  if (!ref) throw new Error(`LoadLatent: ${params.latent} has no "${LATENT_KEY}" tensor.`);
  const data = toFloat32(await ref.read(), ref.dtype);
  if (!st.tensors.has(LATENT_MARKER)) for (let i = 0; i < data.length; i++) data[i] *= LEGACY_LATENT_SCALE;
  const latent: LatentValue = { samples: { shape: [...ref.shape], data } };
  return { latent };
};
