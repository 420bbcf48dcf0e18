/**
 * ESRGAN / Real-ESRGAN RRDBNet (spandrel's ESRGAN arch, BasicSR's RRDBNet) as an ONNX graph.
 * Canonical names are BasicSR's (Real-ESRGAN releases): conv_first, body.N.rdbK.convJ, conv_body, conv_upI, conv_hr,
 * conv_last; the "old arch" sequential layout of original ESRGAN and community models (model.0, model.1.sub.N.RDBK.convJ.0,
 * model.3, …) and BSRGAN's (RRDB_trunk, trunk_conv, upconvI, HRconv) are renamed to it by the tables below.
 */
import { Graph, type FloatType, type Value } from '../../onnx/builder';
import { Layers, assertAllWeightsUsed } from '../../onnx/nn';
import type { WeightProvider } from '../../checkpoint/weights';
import type { StateDict } from '../../io/tensor';
import { seqLen, shapeOf } from './shapes';

export interface RRDBConfig {
  inChannels: number;
  outChannels: number;
  /** num_feat */
  features: number;
  /** num_grow_ch (32 in every released model; spandrel assumes it) */
  growth: number;
  blocks: number;
  /** nearest 2x + conv stages (log2 of the internal scale) */
  upsamples: number;
  /** ESRGAN+: RDBs with conv1x1 residuals */
  plus: boolean;
  /** Real-ESRGAN x2/x1: the image is pixel-unshuffled by this before conv_first (1: none) */
  unshuffle: number;
}

/** ESRGAN's LeakyReLU slope everywhere */
const SLOPE = 0.2;

/** [file-name pattern, canonical replacement] in the order tried; `$n` are the pattern's groups */
type Rename = readonly [RegExp, string];

const BSRGAN_NAMES: readonly Rename[] = [
  [/^RRDB_trunk\.(\d+)\.RDB(\d)\.(conv\d|conv1x1)\.(weight|bias)$/, 'body.$1.rdb$2.$3.$4'],
  [/^trunk_conv\.(weight|bias)$/, 'conv_body.$1'],
  [/^upconv(\d)\.(weight|bias)$/, 'conv_up$1.$2'],
  [/^HRconv\.(weight|bias)$/, 'conv_hr.$1'],
];

/** The old sequential layout: model.1 is the shortcut block (its last sub is conv_body), ups at 3, 6, …, then hr, last. */
function oldArchNames(blocks: number, upsamples: number): readonly Rename[] {
  const hr = 3 * upsamples + 2;
  return [
    [/^model\.0\.(weight|bias)$/, 'conv_first.$1'],
    [/^model\.1\.sub\.(\d+)\.RDB(\d)\.(conv\d)\.0\.(weight|bias)$/, 'body.$1.rdb$2.$3.$4'],
    [/^model\.1\.sub\.(\d+)\.RDB(\d)\.conv1x1\.weight$/, 'body.$1.rdb$2.conv1x1.weight'],
    [new RegExp(`^model\\.1\\.sub\\.${blocks}\\.(weight|bias)$`), 'conv_body.$1'],
    ...Array.from({ length: upsamples }, (_, i): Rename => [new RegExp(`^model\\.${3 * (i + 1)}\\.(weight|bias)$`), `conv_up${i + 1}.$1`]),
    [new RegExp(`^model\\.${hr}\\.(weight|bias)$`), 'conv_hr.$1'],
    [new RegExp(`^model\\.${hr + 2}\\.(weight|bias)$`), 'conv_last.$1'],
  ];
}

function rename(dict: StateDict, table: readonly Rename[]): StateDict {
  const out: StateDict = new Map();
  for (const [k, t] of dict) {
    const row = table.find(([re]) => re.test(k));
    const name = row ? k.replace(row[0], row[1]) : k; // unmatched names stay and are reported as unused
    if (out.has(name)) throw new Error(`RRDBNet: both ${k} and another tensor map to ${name}`);
    out.set(name, t);
  }
  return out;
}

/** The file's tensors under the canonical (BasicSR) names. */
export function canonicalRRDB(dict: StateDict): StateDict {
  if (dict.has('conv_first.weight')) return dict.has('trunk_conv.weight') ? rename(dict, BSRGAN_NAMES) : dict;
  // old arch: model.1.sub holds the blocks and then the trunk conv
  const subs = seqLen(dict, 'model.1.sub');
  const len = seqLen(dict, 'model');
  if ((len - 5) % 3 !== 0 || len < 5) {
    throw new Error(`RRDBNet (old layout): model.* has ${len} entries, which is not conv, trunk, [upsample, conv, act]×n, conv, act, conv`);
  }
  return rename(dict, oldArchNames(subs - 1, (len - 5) / 3));
}

export function deriveRRDBConfig(dict: StateDict): RRDBConfig {
  const [features, inChannels] = shapeOf(dict, 'conv_first.weight', 4);
  const [outChannels] = shapeOf(dict, 'conv_last.weight', 4);
  const [growth] = shapeOf(dict, 'body.0.rdb1.conv1.weight', 4);
  let upsamples = 0;
  while (dict.has(`conv_up${upsamples + 1}.weight`)) upsamples++;
  // spandrel: a conv_first taking 4x or 16x the output channels means the image was pixel-unshuffled
  const unshuffle = inChannels === outChannels * 4 ? 2 : inChannels === outChannels * 16 ? 4 : 1;
  return {
    inChannels,
    outChannels,
    features,
    growth,
    blocks: seqLen(dict, 'body'),
    upsamples,
    plus: dict.has('body.0.rdb1.conv1x1.weight'),
    unshuffle,
  };
}

/** x [1, inChannels, H, W] (already unshuffled) → y [1, outChannels, H·2^upsamples, W·2^upsamples]. */
export function buildRRDBNet(weights: WeightProvider, cfg: RRDBConfig, float: FloatType = 'float32'): Graph {
  const g = new Graph('rrdbnet', float);
  const L = new Layers(g, weights, 'RRDBNet');
  const lrelu = (v: Value) => g.op('LeakyRelu', [v], { alpha: SLOPE });
  const cat = (vs: Value[]) => g.op('Concat', vs, { axis: 1 });
  const scaled = (v: Value, skip: Value) => g.op('Add', [g.op('Mul', [v, g.scalar(0.2)]), skip]);
  // ESRGAN+'s residual 1x1 convs have no bias
  const conv1x1 = (v: Value, p: string) => g.op('Conv', [v, L.param(`${p}.weight`)], { kernel_shape: [1, 1], pads: [0, 0, 0, 0], strides: [1, 1] });

  const rdb = (x: Value, p: string): Value => {
    const x1 = lrelu(L.conv(x, `${p}.conv1`));
    let x2 = lrelu(L.conv(cat([x, x1]), `${p}.conv2`));
    if (cfg.plus) x2 = g.op('Add', [x2, conv1x1(x, `${p}.conv1x1`)]);
    const x3 = lrelu(L.conv(cat([x, x1, x2]), `${p}.conv3`));
    let x4 = lrelu(L.conv(cat([x, x1, x2, x3]), `${p}.conv4`));
    if (cfg.plus) x4 = g.op('Add', [x4, x2]);
    const x5 = L.conv(cat([x, x1, x2, x3, x4]), `${p}.conv5`);
    return scaled(x5, x);
  };
  const rrdb = (x: Value, p: string): Value => scaled(rdb(rdb(rdb(x, `${p}.rdb1`), `${p}.rdb2`), `${p}.rdb3`), x);

  const x = g.compute(g.input('x', 'float32', [1, cfg.inChannels, 'H', 'W']));
  const fea = L.conv(x, 'conv_first');
  let trunk = fea;
  for (let b = 0; b < cfg.blocks; b++) trunk = rrdb(trunk, `body.${b}`);
  let h = g.op('Add', [fea, L.conv(trunk, 'conv_body')]);
  for (let u = 1; u <= cfg.upsamples; u++) {
    const up = g.op('Resize', [h, null, g.constant(Float32Array.of(1, 1, 2, 2))], {
      mode: 'nearest',
      coordinate_transformation_mode: 'asymmetric',
      nearest_mode: 'floor',
    });
    h = lrelu(L.conv(up, `conv_up${u}`));
  }
  const y = L.conv(lrelu(L.conv(h, 'conv_hr')), 'conv_last');
  g.output(g.fp32(y), 'y', 'float32', [1, cfg.outChannels, 'OH', 'OW']);
  assertAllWeightsUsed(g, weights, 'RRDBNet');
  return g;
}
