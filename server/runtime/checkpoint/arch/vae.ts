import { countIndexed, fail, shapeOf, type ShapeSource } from './shapes';

/** AutoencoderKL hyper-parameters (ldm Encoder/Decoder), read from tensor shapes. */
export interface VaeConfig {
  ch: number;
  chMult: number[];
  numResBlocks: number;
  zChannels: number;
  /** channels of the image: 3 */
  outChannels: number;
  /** embed_dim: latent channels after quant_conv */
  embedDim: number;
  hasEncoder: boolean;
}

const C = 'vae';

export function deriveVaeConfig(src: ShapeSource): VaeConfig {
  const convIn = shapeOf(src, C, 'decoder.conv_in.weight', 4);
  const zChannels = convIn[1];
  const convOut = shapeOf(src, C, 'decoder.conv_out.weight', 4);
  const [outChannels, ch] = convOut;
  const levels = countIndexed(src, 'decoder.up.');
  if (!levels) throw new Error(`${C}: no decoder.up.* tensors`);
  const chMult: number[] = [];
  for (let i = 0; i < levels; i++) {
    const key = `decoder.up.${i}.block.0.conv2.weight`;
    const w = shapeOf(src, C, key, 4);
    const m = w[0] / ch;
    if (!Number.isInteger(m)) fail(C, key, w, `has ${w[0]} channels, not a multiple of ${ch}`);
    chMult.push(m);
  }
  const decBlocks = countIndexed(src, 'decoder.up.0.block.');
  const numResBlocks = decBlocks - 1;
  if (numResBlocks < 1) throw new Error(`${C}: decoder.up.0 has ${decBlocks} blocks, expected num_res_blocks + 1`);
  const pq = shapeOf(src, C, 'post_quant_conv.weight', 4);
  const embedDim = pq[1];
  if (pq[0] !== zChannels) fail(C, 'post_quant_conv.weight', pq, `does not produce the decoder's ${zChannels} channels`);
  const hasEncoder = src.has('encoder.conv_in.weight');
  if (hasEncoder) {
    const encOut = shapeOf(src, C, 'encoder.conv_out.weight', 4);
    if (encOut[0] !== 2 * zChannels) fail(C, 'encoder.conv_out.weight', encOut, `is not the double_z ${2 * zChannels} channels`);
    const q = shapeOf(src, C, 'quant_conv.weight', 4);
    if (q[0] !== 2 * embedDim) fail(C, 'quant_conv.weight', q, `is not ${2 * embedDim} channels`);
  }
  return { ch, chMult, numResBlocks, zChannels, outChannels, embedDim, hasEncoder };
}
