/**
 * Test-side generator of LDM UNet parameter names for a layout (what openaimodel.UNetModel registers),
 * so name tables can be checked on layouts no golden checkpoint has (SDXL, real SD1).
 */
export interface LevelSpec {
  readonly res: number;
  /** transformer depth of every block in this level (0 = no attention) */
  readonly depth: number;
}

const RESNET = ['in_layers.0', 'in_layers.2', 'emb_layers.1', 'out_layers.0', 'out_layers.3', 'skip_connection'];
const BLOCK = [
  'norm1',
  'norm2',
  'norm3',
  'attn1.to_q',
  'attn1.to_k',
  'attn1.to_v',
  'attn1.to_out.0',
  'attn2.to_q',
  'attn2.to_k',
  'attn2.to_v',
  'attn2.to_out.0',
  'ff.net.0.proj',
  'ff.net.2',
];

function transformer(out: string[], at: string, depth: number) {
  for (const m of ['norm', 'proj_in', 'proj_out']) out.push(`${at}.${m}.weight`);
  for (let t = 0; t < depth; t++) for (const m of BLOCK) out.push(`${at}.transformer_blocks.${t}.${m}.weight`);
}

export function ldmUnetNames(levels: readonly LevelSpec[], midDepth: number, adm = false): string[] {
  const out = ['input_blocks.0.0.weight', 'time_embed.0.weight', 'time_embed.2.weight', 'out.0.weight', 'out.2.weight'];
  if (adm) out.push('label_emb.0.0.weight', 'label_emb.0.2.weight');
  let n = 1;
  levels.forEach((l, x) => {
    for (let i = 0; i < l.res; i++, n++) {
      for (const r of RESNET) out.push(`input_blocks.${n}.0.${r}.weight`);
      if (l.depth) transformer(out, `input_blocks.${n}.1`, l.depth);
    }
    if (x < levels.length - 1) out.push(`input_blocks.${n++}.0.op.weight`);
  });
  for (const r of RESNET) out.push(`middle_block.0.${r}.weight`, `middle_block.2.${r}.weight`);
  transformer(out, 'middle_block.1', midDepth);
  let o = 0;
  [...levels].reverse().forEach((l, x) => {
    for (let i = 0; i <= l.res; i++, o++) {
      for (const r of RESNET) out.push(`output_blocks.${o}.0.${r}.weight`);
      if (l.depth) transformer(out, `output_blocks.${o}.1`, l.depth);
      if (i === l.res && x < levels.length - 1) out.push(`output_blocks.${o}.${l.depth ? 2 : 1}.conv.weight`);
    }
  });
  return out;
}
