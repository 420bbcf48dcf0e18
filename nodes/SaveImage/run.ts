import fs from 'node:fs/promises';
import type { NodeRunner } from '../runner';
import { isFloatTensor } from '../values';
import { encodePng, insertITXt } from '../_io/png';
import { nextOutputPath } from '../_io/output-files';
import { PNG_WORKFLOW_KEYWORD } from '../workflow/png-text';

export const run: NodeRunner = async (ctx) => {
  const images = ctx.inputs.images;
  if (!isFloatTensor(images) || images.shape.length !== 4) throw new Error('SaveImage: input "images" is not an IMAGE batch.');
  const text = JSON.stringify(ctx.workflow);
  for (let i = 0; i < images.shape[0]; i++) {
    ctx.signal.throwIfAborted();
    const { full, rel } = nextOutputPath(ctx.paths.output, String(ctx.params.filename_prefix), '.png');
    await fs.writeFile(full, insertITXt(encodePng(images, i), PNG_WORKFLOW_KEYWORD, text));
    ctx.recordFile({ path: rel, kind: 'image' });
  }
  return {};
};
