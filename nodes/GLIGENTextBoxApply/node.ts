import { defineNode } from '../node';
import { encodePhrase } from '../../server/runtime/text/gligen-phrase';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs, ctx }) => {
  const gligen = inputs.gligen_textbox_model;
  const cond = inputs.conditioning_to;
  const other = cond.entries.find((e) => e.family !== inputs.clip.family);
  if (other) {
    throw new Error(
      `GLIGENTextBoxApply: the conditioning is ${other.family} but the CLIP is ${inputs.clip.family}: use the CLIP that encoded the prompt`,
    );
  }
  const embedding = await encodePhrase(ctx.models, inputs.clip, p.text);
  if (embedding.length !== gligen.model.inDim) {
    throw new Error(
      `GLIGENTextBoxApply: the GLIGEN model takes ${gligen.model.inDim}-wide phrase embeddings but this ${inputs.clip.family} CLIP gives ${embedding.length}: a GLIGEN model for another model family?`,
    );
  }
  // ComfyUI keeps boxes in latent units (// 8) and, per entry, appends to the boxes already there (the last GLIGEN model wins)
  const box = { embedding, height: Math.floor(p.height / 8), width: Math.floor(p.width / 8), y: Math.floor(p.y / 8), x: Math.floor(p.x / 8) };
  const entries = cond.entries.map((e) => ({ ...e, gligen: { model: gligen, boxes: [...(e.gligen?.boxes ?? []), box] } }));
  return { CONDITIONING: { kind: 'conditioning' as const, entries } };
});
