import { defineNode } from '../node';
import { embeddingDirs, embeddingFingerprint } from '../_io/embeddings';
import { encodeText } from '../../server/runtime/text/encode-clip';
import { schema } from './schema';

/** The prompt's entries with the node's fields added (ComfyUI's add_dict: aesthetic_score, width, height). */
export default defineNode(
  schema,
  async ({ params: p, inputs, ctx }) => {
    const c = await encodeText(ctx.models, inputs.clip, p.text, ctx.warn, { embeddingDirs: embeddingDirs(ctx.paths) });
    return { CONDITIONING: { ...c, entries: c.entries.map((e) => ({ ...e, aestheticScore: p.ascore, width: p.width, height: p.height })) } };
  },
  { fingerprint: (p, paths) => embeddingFingerprint([p.text], paths) },
);
