import { countIndexed, fail, shapeOf, type ShapeSource } from './shapes';

/** How attention heads are chosen: SD1 fixes the count, SD2/SDXL fix the width of a head. */
export type HeadRule = { numHeads: number } | { headChannels: number };

/** The LDM UNetModel hyper-parameters, read from tensor shapes. */
export interface UNetConfig {
  inChannels: number;
  outChannels: number;
  modelChannels: number;
  channelMult: number[];
  /** ResBlocks per level on the way down (the way up has one more) */
  numResBlocks: number[];
  /** transformer depth after each down ResBlock, per level (0 = no attention) */
  transformerDepth: number[];
  transformerDepthMiddle: number;
  /** transformer depth per output block, in output_blocks order */
  transformerDepthOutput: number[];
  contextDim: number;
  heads: HeadRule;
  /** SpatialTransformer proj_in/proj_out are Linear (SD2/SDXL) rather than 1x1 convs (SD1) */
  linearProjection: boolean;
  timeEmbedDim: number;
  /** width of the SDXL `y` vector when the model has label_emb */
  admInChannels?: number;
}

const C = 'unet';

function transformerDepth(src: ShapeSource, block: string): number {
  return countIndexed(src, `${block}.transformer_blocks.`);
}

/** Derives the UNet config from a provider of UNet tensors named relative to `model.diffusion_model.` */
export function deriveUNetConfig(src: ShapeSource, heads?: HeadRule): UNetConfig {
  const convIn = shapeOf(src, C, 'input_blocks.0.0.weight', 4);
  const [modelChannels, inChannels] = convIn;
  const outConv = shapeOf(src, C, 'out.2.weight', 4);
  const outChannels = outConv[0];
  if (outConv[1] !== modelChannels) fail(C, 'out.2.weight', outConv, `expects ${modelChannels} input channels (input_blocks.0.0)`);
  const timeEmbedDim = shapeOf(src, C, 'time_embed.0.weight', 2)[0];

  const channelMult: number[] = [];
  const numResBlocks: number[] = [];
  const transformerDepthPerLevel: number[] = [];
  const nInput = countIndexed(src, 'input_blocks.');
  let level = 0;
  let resInLevel = 0;
  let depthInLevel = 0;
  let contextDim = 0;
  let linearProjection: boolean | undefined;
  const noteTransformer = (block: string) => {
    const projKey = `${block}.proj_in.weight`;
    const proj = shapeOf(src, C, projKey);
    const linear = proj.length === 2;
    if (!linear && proj.length !== 4) fail(C, projKey, proj, 'is neither a Linear nor a 1x1 conv weight');
    if (linearProjection !== undefined && linear !== linearProjection) fail(C, projKey, proj, 'mixes linear and conv projections');
    linearProjection = linear;
    const ctxKey = `${block}.transformer_blocks.0.attn2.to_k.weight`;
    const ctx = shapeOf(src, C, ctxKey, 2)[1];
    if (contextDim && ctx !== contextDim) fail(C, ctxKey, shapeOf(src, C, ctxKey), `has context width ${ctx}, others ${contextDim}`);
    contextDim = ctx;
  };
  for (let i = 1; i < nInput; i++) {
    const b = `input_blocks.${i}`;
    if (src.has(`${b}.0.op.weight`)) {
      channelMult.push(0); // placeholder filled below
      numResBlocks.push(resInLevel);
      transformerDepthPerLevel.push(depthInLevel);
      level++;
      resInLevel = 0;
      depthInLevel = 0;
      continue;
    }
    const w = shapeOf(src, C, `${b}.0.in_layers.2.weight`, 4);
    const mult = w[0] / modelChannels;
    if (!Number.isInteger(mult)) fail(C, `${b}.0.in_layers.2.weight`, w, `has ${w[0]} channels, not a multiple of ${modelChannels}`);
    if (resInLevel > 0 && channelMult[level] !== mult) fail(C, `${b}.0.in_layers.2.weight`, w, 'changes width inside a level');
    channelMult[level] = mult;
    resInLevel++;
    const depth = transformerDepth(src, `${b}.1`);
    if (depth) noteTransformer(`${b}.1`);
    if (resInLevel > 1 && depth !== depthInLevel) fail(C, `${b}.1`, [], 'has a transformer depth different from its level');
    depthInLevel = depth;
  }
  numResBlocks.push(resInLevel);
  transformerDepthPerLevel.push(depthInLevel);
  if (channelMult.length !== numResBlocks.length || channelMult.some((m) => !m)) {
    throw new Error(`${C}: input_blocks do not form levels of ResBlocks separated by downsamplers`);
  }

  const transformerDepthMiddle = transformerDepth(src, 'middle_block.1');
  if (transformerDepthMiddle) noteTransformer('middle_block.1');
  shapeOf(src, C, 'middle_block.2.in_layers.2.weight', 4);

  const nOutput = countIndexed(src, 'output_blocks.');
  const expectedOutput = numResBlocks.reduce((a, n) => a + n + 1, 0);
  if (nOutput !== expectedOutput) {
    throw new Error(`${C}: ${nOutput} output_blocks, expected ${expectedOutput} for num_res_blocks [${numResBlocks.join(',')}]`);
  }
  const transformerDepthOutput: number[] = [];
  for (let i = 0; i < nOutput; i++) {
    shapeOf(src, C, `output_blocks.${i}.0.in_layers.2.weight`, 4);
    const depth = transformerDepth(src, `output_blocks.${i}.1`);
    if (depth) noteTransformer(`output_blocks.${i}.1`);
    transformerDepthOutput.push(depth);
  }

  const linear = linearProjection ?? false;
  const adm = src.has('label_emb.0.0.weight') ? shapeOf(src, C, 'label_emb.0.0.weight', 2)[1] : undefined;
  return {
    inChannels,
    outChannels,
    modelChannels,
    channelMult,
    numResBlocks,
    transformerDepth: transformerDepthPerLevel,
    transformerDepthMiddle,
    transformerDepthOutput,
    contextDim,
    // SD1 (conv projections) uses 8 heads; SD2 and SDXL (linear projections) use 64-wide heads.
    heads: heads ?? (linear ? { headChannels: 64 } : { numHeads: 8 }),
    linearProjection: linear,
    timeEmbedDim,
    ...(adm !== undefined ? { admInChannels: adm } : {}),
  };
}

export function headsFor(rule: HeadRule, channels: number): number {
  if ('numHeads' in rule) return rule.numHeads;
  if (channels % rule.headChannels) throw new Error(`unet: ${channels} channels do not split into heads of ${rule.headChannels}`);
  return channels / rule.headChannels;
}
