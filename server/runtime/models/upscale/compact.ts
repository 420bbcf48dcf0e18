/**
 * Real-ESRGAN's SRVGGNetCompact (realesr-general-x4v3, realesr-animevideov3; spandrel's Compact arch) as an ONNX
 * graph: body.0 conv, then PReLU / conv pairs, a last conv to out·scale² channels, PixelShuffle, plus the nearest
 * upsampled input. Names are the file's (body.N).
 */
import { Graph, type FloatType, type Value } from '../../onnx/builder';
import { Layers, assertAllWeightsUsed } from '../../onnx/nn';
import type { WeightProvider } from '../../checkpoint/weights';
import type { StateDict } from '../../io/tensor';
import { seqLen, shapeOf } from './shapes';

export interface CompactConfig {
  inChannels: number;
  outChannels: number;
  features: number;
  /** body convs between the first and the last */
  convs: number;
  scale: number;
}

/**
 * spandrel's get_scale_and_output_channels: the last conv has out·scale² channels; try out = in, 3, 4, 1 and take
 * the first that leaves a square.
 */
export function scaleAndChannels(lastChannels: number, inChannels: number): { scale: number; out: number } {
  for (const c of [inChannels, 3, 4, 1]) {
    if (lastChannels % c !== 0) continue;
    const s = Math.sqrt(lastChannels / c);
    if (Number.isInteger(s)) return { scale: s, out: c };
  }
  throw new Error(`Compact: the last conv has ${lastChannels} channels, not out·scale² for 1, 3 or 4 output channels`);
}

export function deriveCompactConfig(dict: StateDict): CompactConfig {
  const highest = seqLen(dict, 'body') - 1;
  const [features, inChannels] = shapeOf(dict, 'body.0.weight', 4);
  if (highest < 2 || highest % 2 !== 0) throw new Error(`Compact: body has ${highest + 1} entries; expected conv, (prelu, conv)×n, prelu, conv`);
  const [last] = shapeOf(dict, `body.${highest}.bias`, 1);
  const { scale, out } = scaleAndChannels(last, inChannels);
  // the residual adds the upsampled input to the output: the channel counts must agree (torch would fail on them)
  if (out !== inChannels) throw new Error(`Compact: ${inChannels} input channels but ${out} output channels; the residual needs them equal`);
  for (let i = 1; i < highest; i += 2) {
    const [n] = shapeOf(dict, `body.${i}.weight`, 1);
    if (n !== features) throw new Error(`Compact: body.${i}.weight has ${n} PReLU slopes, expected one per feature (${features})`);
  }
  return { inChannels, outChannels: out, features, convs: (highest - 2) / 2, scale };
}

/** x [1, C, H, W] → y [1, C, H·scale, W·scale] (unclamped). */
export function buildCompact(weights: WeightProvider, cfg: CompactConfig, float: FloatType = 'float32'): Graph {
  const g = new Graph('compact', float);
  const L = new Layers(g, weights, 'Compact');
  const prelu = (v: Value, p: string) => g.op('PRelu', [v, L.param(`${p}.weight`, [cfg.features, 1, 1])]);
  const x = g.compute(g.input('x', 'float32', [1, cfg.inChannels, 'H', 'W']));
  let h = prelu(L.conv(x, 'body.0'), 'body.1');
  for (let i = 0; i < cfg.convs; i++) h = prelu(L.conv(h, `body.${2 * i + 2}`), `body.${2 * i + 3}`);
  const shuffled = g.op('DepthToSpace', [L.conv(h, `body.${2 * cfg.convs + 2}`)], { blocksize: cfg.scale, mode: 'CRD' });
  const s = cfg.scale;
  const base = g.op('Resize', [x, null, g.constant(Float32Array.of(1, 1, s, s))], {
    mode: 'nearest',
    coordinate_transformation_mode: 'asymmetric',
    nearest_mode: 'floor',
  });
  g.output(g.fp32(g.op('Add', [shuffled, base])), 'y', 'float32', [1, cfg.outChannels, 'OH', 'OW']);
  assertAllWeightsUsed(g, weights, 'Compact');
  return g;
}
