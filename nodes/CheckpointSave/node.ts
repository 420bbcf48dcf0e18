import { defineNode } from '../node';
import { writeOutput } from '../_io/output-files';
import { saveCheckpoint } from '../../server/runtime/checkpoint/save-handles';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs, ctx }) => {
  const rel = await writeOutput(ctx.paths.output, params.filename_prefix, '.safetensors', (full) =>
    saveCheckpoint({ ...inputs, file: full, metadata: { workflow: JSON.stringify(ctx.workflow) } }),
  );
  ctx.recordFile({ path: rel, kind: 'checkpoint' });
  return {};
});
