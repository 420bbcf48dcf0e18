import fs from 'node:fs/promises';
import { defineNode } from '../node';
import { encodePng } from '../_io/png';
import { nextOutputPath } from '../_io/output-files';
import { schema } from './schema';

/** Previews go to output/previews so /outputs can serve them; they carry no workflow. */
export default defineNode(schema, async ({ inputs, ctx }) => {
  for (let i = 0; i < inputs.images.shape[0]; i++) {
    const { full, rel } = nextOutputPath(ctx.paths.output, 'previews/preview', '.png');
    await fs.writeFile(full, encodePng(inputs.images, i));
    ctx.recordFile({ path: rel, kind: 'preview' });
  }
  return {};
});
