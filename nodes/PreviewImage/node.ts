import { defineNode } from '../node';
import { writeFileAtomic } from '../../server/io/atomic-write';
import { encodePng } from '../_io/png';
import { writeOutput } from '../_io/output-files';
import { schema } from './schema';

/** Previews go to output/previews so /outputs can serve them; they carry no workflow. */
export default defineNode(schema, async ({ inputs, ctx }) => {
  for (let i = 0; i < inputs.images.shape[0]; i++) {
    const bytes = encodePng(inputs.images, i);
    const rel = await writeOutput(ctx.paths.output, 'previews/preview', '.png', (_full, name) =>
      writeFileAtomic(name, bytes, { root: ctx.paths.output }),
    );
    ctx.recordFile({ path: rel, kind: 'preview' });
  }
  return {};
});
