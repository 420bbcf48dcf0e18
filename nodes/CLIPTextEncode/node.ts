import { defineNode } from '../node';
import { encodeText } from '../../server/runtime/text/encode-clip';
import { embeddingDirs, embeddingFingerprint } from '../_io/embeddings';
import { schema } from './schema';

export default defineNode(
  schema,
  async ({ params, inputs, ctx }) => ({
    CONDITIONING: await encodeText(ctx.models, inputs.clip, params.text, ctx.warn, { embeddingDirs: embeddingDirs(ctx.paths) }),
  }),
  { fingerprint: (params, paths) => embeddingFingerprint([params.text], paths) },
);
