import fs from 'node:fs/promises';
import { defineNode } from '../node';
import { encodePng, insertTextChunks } from '../_io/png';
import { nextOutputPath } from '../_io/output-files';
import { pngWorkflowChunks } from '../_io/png-workflow';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs, ctx }) => {
  const images = inputs.images;
  const chunks = pngWorkflowChunks(ctx.workflow, ctx.schemas);
  for (let i = 0; i < images.shape[0]; i++) {
    ctx.signal.throwIfAborted();
    const { full, rel } = nextOutputPath(ctx.paths.output, params.filename_prefix, '.png');
    await fs.writeFile(full, insertTextChunks(encodePng(images, i), chunks));
    ctx.recordFile({ path: rel, kind: 'image' });
  }
  return {};
});
