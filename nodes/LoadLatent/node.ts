import { defineNode } from '../node';
import { openSafetensors } from '../../server/runtime/io/safetensors';
import { toFloat32 } from '../../server/runtime/io/dtype';
import { LATENT_KEY, LATENT_MARKER, LEGACY_LATENT_SCALE } from '../_io/latent-format';
import { schema } from './schema';

export default defineNode(schema, async ({ params }) => {
  const st = await openSafetensors(params.latent.path);
  const ref = st.tensors.get(LATENT_KEY);
  if (!ref) throw new Error(`${params.latent.name} has no "${LATENT_KEY}" tensor.`);
  const data = toFloat32(await ref.read(), ref.dtype);
  if (!st.tensors.has(LATENT_MARKER)) for (let i = 0; i < data.length; i++) data[i] *= LEGACY_LATENT_SCALE;
  return { LATENT: { samples: { shape: [...ref.shape], data } } };
});
