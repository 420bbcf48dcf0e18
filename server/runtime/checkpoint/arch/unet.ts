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

/** The encoder half of a UNetConfig (input blocks and middle block): all a ControlNet has. */
export type UNetEncoderConfig = Omit<UNetConfig, 'outChannels' | 'transformerDepthOutput'>;

/** Reads the input blocks and middle block; `noteTransformer` keeps checking context width and projection kind. */
function scanEncoder(src: ShapeSource, C: string) {
  const convIn = shapeOf(src, C, 'input_blocks.0.0.weight', 4);
  const [modelChannels, inChannels] = convIn;
  const timeEmbedDim = shapeOf(src, C, 'time_embed.0.weight', 2)[0];

  const channelMult: number[] = [];
  const numResBlocks: number[] = [];
  const transformerDepthPerLevel: number[] = [];
  const nInput = countIndexed(src, 'input_blocks.');
  let level = 0;
  let resInLevel = 0;
  let depthInLevel = 0;
  const seen: { contextDim: number; linearProjection?: boolean } = { contextDim: 0 };
  const noteTransformer = (block: string) => {
    const projKey = `${block}.proj_in.weight`;
    const proj = shapeOf(src, C, projKey);
    const linear = proj.length === 2;
    if (!linear && proj.length !== 4) fail(C, projKey, proj, 'is neither a Linear nor a 1x1 conv weight');
    if (seen.linearProjection !== undefined && linear !== seen.linearProjection) fail(C, projKey, proj, 'mixes linear and conv projections');
    seen.linearProjection = linear;
    const ctxKey = `${block}.transformer_blocks.0.attn2.to_k.weight`;
    const ctx = shapeOf(src, C, ctxKey, 2)[1];
    if (seen.contextDim && ctx !== seen.contextDim) fail(C, ctxKey, shapeOf(src, C, ctxKey), `has context width ${ctx}, others ${seen.contextDim}`);
    seen.contextDim = ctx;
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
  const fields = {
    inChannels,
    modelChannels,
    channelMult,
    numResBlocks,
    transformerDepth: transformerDepthPerLevel,
    transformerDepthMiddle,
    timeEmbedDim,
  };
  return { fields, seen, noteTransformer };
}

function finishConfig<T>(src: ShapeSource, C: string, fields: T, seen: { contextDim: number; linearProjection?: boolean }, heads?: HeadRule) {
  const linear = seen.linearProjection ?? false;
  const adm = src.has('label_emb.0.0.weight') ? shapeOf(src, C, 'label_emb.0.0.weight', 2)[1] : undefined;
  return {
    ...fields,
    contextDim: seen.contextDim,
    // SD1 (conv projections) uses 8 heads; SD2 and SDXL (linear projections) use 64-wide heads.
    heads: heads ?? (linear ? { headChannels: 64 } : { numHeads: 8 }),
    linearProjection: linear,
    ...(adm !== undefined ? { admInChannels: adm } : {}),
  };
}

/** Derives the UNet config from a provider of UNet tensors named relative to `model.diffusion_model.` */
export function deriveUNetConfig(src: ShapeSource, heads?: HeadRule): UNetConfig {
  const { fields, seen, noteTransformer } = scanEncoder(src, C);
  const outConv = shapeOf(src, C, 'out.2.weight', 4);
  const outChannels = outConv[0];
  if (outConv[1] !== fields.modelChannels) fail(C, 'out.2.weight', outConv, `expects ${fields.modelChannels} input channels (input_blocks.0.0)`);

  const { numResBlocks } = fields;
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
  const f = fields;
  // the original key order: session and saved-model keys are JSON of this object
  const ordered = {
    inChannels: f.inChannels,
    outChannels,
    modelChannels: f.modelChannels,
    channelMult: f.channelMult,
    numResBlocks: f.numResBlocks,
    transformerDepth: f.transformerDepth,
    transformerDepthMiddle: f.transformerDepthMiddle,
    transformerDepthOutput,
  };
  const { timeEmbedDim } = f;
  const out = finishConfig(src, C, ordered, seen, heads);
  const { admInChannels, ...rest } = out;
  return { ...rest, timeEmbedDim, ...(admInChannels !== undefined ? { admInChannels } : {}) };
}

/** The encoder config of a UNet-shaped network without output blocks (a ControlNet), named `component` in errors. */
export function deriveUNetEncoderConfig(src: ShapeSource, component: string, heads?: HeadRule): UNetEncoderConfig {
  const { fields, seen } = scanEncoder(src, component);
  return finishConfig(src, component, fields, seen, heads);
}

export function headsFor(rule: HeadRule, channels: number): number {
  if ('numHeads' in rule) return rule.numHeads;
  if (channels % rule.headChannels) throw new Error(`unet: ${channels} channels do not split into heads of ${rule.headChannels}`);
  return channels / rule.headChannels;
}
