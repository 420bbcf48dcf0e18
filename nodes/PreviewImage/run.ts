import fs from 'node:fs/promises';
import type { NodeRunner } from '../runner';
import { isFloatTensor } from '../values';
import { encodePng } from '../_io/png';
import { nextOutputPath } from '../_io/output-files';

/** Previews go to output/previews so /outputs can serve them; they carry no workflow. */
export const run: NodeRunner = async (ctx) => {
  const images = ctx.inputs.images;
  if (!isFloatTensor(images) || images.shape.length !== 4) throw new Error('PreviewImage: input "images" is not an IMAGE batch.');
  for (let i = 0; i < images.shape[0]; i++) {
    const { full, rel } = nextOutputPath(ctx.paths.output, 'previews/preview', '.png');
    await fs.writeFile(full, encodePng(images, i));
    ctx.recordFile({ path: rel, kind: 'preview' });
  }
  return {};
};
