import { defineNode } from '../node';
import { embeddingDirs, embeddingFingerprint } from '../_io/embeddings';
import { encodeSdxl } from './encode';
import { schema } from './schema';

export default defineNode(
  schema,
  async ({ params: p, inputs, ctx }) => {
    const sizes = { height: p.height, width: p.width, cropH: p.crop_h, cropW: p.crop_w, targetHeight: p.target_height, targetWidth: p.target_width };
    const opts = { warn: ctx.warn, embeddingDirs: embeddingDirs(ctx.paths) };
    return { CONDITIONING: await encodeSdxl(ctx.models, inputs.clip, { textG: p.text_g, textL: p.text_l }, sizes, opts) };
  },
  { fingerprint: (p, paths) => embeddingFingerprint([p.text_g, p.text_l], paths) },
);
