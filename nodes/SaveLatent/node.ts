import { defineNode } from '../node';
import { writeOutput } from '../_io/output-files';
import { writeSafetensors } from '../../server/runtime/io/safetensors-write';
import { LATENT_KEY, LATENT_MARKER } from '../_io/latent-format';
import { schema } from './schema';

/** ComfyUI's .latent: tensor `latent_tensor` (VAE-space, F32) plus the empty marker tensor, workflow in metadata. */
export default defineNode(schema, async ({ params, inputs, ctx }) => {
  const { data, shape } = inputs.samples.samples;
  const rel = await writeOutput(ctx.paths.output, params.filename_prefix, '.latent', (full) =>
    writeSafetensors(
      full,
      [
        { name: LATENT_KEY, dtype: 'F32', shape, data: async () => new Uint8Array(data.buffer, data.byteOffset, data.byteLength) },
        { name: LATENT_MARKER, dtype: 'F32', shape: [0], data: async () => new Uint8Array(0) },
      ],
      { workflow: JSON.stringify(ctx.workflow) },
    ),
  );
  ctx.recordFile({ path: rel, kind: 'latent' });
  return {};
});
