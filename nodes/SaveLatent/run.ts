import type { NodeRunner } from '../runner';
import { isLatent } from '../values';
import { nextOutputPath } from '../_io/output-files';
import { writeSafetensors } from '../../server/runtime/io/safetensors-write';
import { LATENT_KEY, LATENT_MARKER } from '../_io/latent-format';

/** ComfyUI's .latent: tensor `latent_tensor` (VAE-space, F32) plus the empty marker tensor, workflow in metadata. */
export const run: NodeRunner = async (ctx) => {
  const latent = ctx.inputs.samples;
  if (!isLatent(latent)) throw new Error('SaveLatent: input "samples" is not a LATENT.');
  const { full, rel } = nextOutputPath(ctx.paths.output, String(ctx.params.filename_prefix), '.latent');
  const { data, shape } = latent.samples;
  await writeSafetensors(
    full,
    [
      { name: LATENT_KEY, dtype: 'F32', shape, data: async () => new Uint8Array(data.buffer, data.byteOffset, data.byteLength) },
      { name: LATENT_MARKER, dtype: 'F32', shape: [0], data: async () => new Uint8Array(0) },
    ],
    { workflow: JSON.stringify(ctx.workflow) },
  );
  ctx.recordFile({ path: rel, kind: 'latent' });
  return {};
};
