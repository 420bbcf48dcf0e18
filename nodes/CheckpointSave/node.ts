import { defineNode } from '../node';
import { nextOutputPath } from '../_io/output-files';
import { saveCheckpoint } from '../../server/runtime/checkpoint/save-handles';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs, ctx }) => {
  const { full, rel } = nextOutputPath(ctx.paths.output, params.filename_prefix, '.safetensors');
  await saveCheckpoint({ ...inputs, file: full, metadata: { workflow: JSON.stringify(ctx.workflow) } });
  ctx.recordFile({ path: rel, kind: 'checkpoint' });
  return {};
});
