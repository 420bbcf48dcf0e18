/**
 * The block structure of an LDM UNet, read from its parameter names: everything the
 * LDM <-> diffusers correspondence depends on (ComfyUI derives the same from its unet_config:
 * num_res_blocks per level, channel_mult length, transformer depth per block).
 */
export interface UnetLayout {
  /** resnets per level, down path (length = number of levels = channel_mult length) */
  readonly numResBlocks: readonly number[];
  /** transformer depth of each down resnet, in input_blocks order (0 = no attention) */
  readonly transformerDepth: readonly number[];
  /** transformer depth of the middle block; undefined when the middle block has no attention */
  readonly transformerDepthMiddle: number | undefined;
  /** transformer depth of each output block, in output_blocks order */
  readonly transformerDepthOutput: readonly number[];
}

const INPUT_BLOCK = /^input_blocks\.(\d+)\./;
const OUTPUT_BLOCK = /^output_blocks\.(\d+)\./;
const DOWNSAMPLE = /^input_blocks\.(\d+)\.0\.op\./;
const TRANSFORMER = /^(input_blocks\.\d+|output_blocks\.\d+|middle_block)\.1\.transformer_blocks\.(\d+)\./;

export function unetLayoutFromNames(names: Iterable<string>): UnetLayout {
  const inputs = new Set<number>();
  const outputs = new Set<number>();
  const downsamples = new Set<number>();
  const depth = new Map<string, number>();
  for (const name of names) {
    const i = INPUT_BLOCK.exec(name);
    if (i) inputs.add(+i[1]);
    const o = OUTPUT_BLOCK.exec(name);
    if (o) outputs.add(+o[1]);
    const d = DOWNSAMPLE.exec(name);
    if (d) downsamples.add(+d[1]);
    const t = TRANSFORMER.exec(name);
    if (t) depth.set(t[1], Math.max(depth.get(t[1]) ?? 0, +t[2] + 1));
  }
  if (!inputs.has(0)) throw new Error('UNet weights have no input_blocks.0 (conv_in): not an LDM UNet');
  const numResBlocks: number[] = [];
  const transformerDepth: number[] = [];
  let count = 0;
  const last = Math.max(...inputs);
  for (let n = 1; n <= last; n++) {
    if (!inputs.has(n)) throw new Error(`UNet weights skip input_blocks.${n}`);
    if (downsamples.has(n)) {
      numResBlocks.push(count);
      count = 0;
      continue;
    }
    transformerDepth.push(depth.get(`input_blocks.${n}`) ?? 0);
    count++;
  }
  numResBlocks.push(count);
  const expectedOutputs = numResBlocks.reduce((a, r) => a + r + 1, 0);
  if (outputs.size !== expectedOutputs) {
    throw new Error(`UNet has ${outputs.size} output blocks, its down path implies ${expectedOutputs}`);
  }
  return {
    numResBlocks,
    transformerDepth,
    transformerDepthMiddle: depth.get('middle_block'),
    transformerDepthOutput: Array.from({ length: outputs.size }, (_, n) => depth.get(`output_blocks.${n}`) ?? 0),
  };
}
