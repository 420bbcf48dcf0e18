import { defineNode } from '../node';
import { writeFileAtomic } from '../../server/io/atomic-write';
import { encodePng, insertTextChunks } from '../_io/png';
import { writeOutput } from '../_io/output-files';
import { pngWorkflowChunks } from '../_io/png-workflow';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs, ctx }) => {
  const images = inputs.images;
  const chunks = pngWorkflowChunks(ctx.workflow, ctx.schemas);
  for (let i = 0; i < images.shape[0]; i++) {
    ctx.signal.throwIfAborted();
    const bytes = insertTextChunks(encodePng(images, i), chunks);
    const rel = await writeOutput(ctx.paths.output, params.filename_prefix, '.png', (_full, name) =>
      writeFileAtomic(name, bytes, { root: ctx.paths.output }),
    );
    ctx.recordFile({ path: rel, kind: 'image' });
  }
  return {};
});
