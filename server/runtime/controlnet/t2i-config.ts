/**
 * T2I-Adapter files as ComfyUI's load_t2i_adapter reads them (comfy/controlnet.py): the diffusers layout renamed to
 * the TencentARC one, then the variant told by keys: `body.0.in_conv.weight` → Adapter_light, `conv_in.weight` →
 * Adapter (sk, ksize from body.0.block2, a conv downsample when any `down_opt.op.weight` exists, the SDXL `xl`
 * variant when conv_in takes 256 or 768 channels). Shapes are checked here so a broken file is named, not crashed on.
 */
import type { StateDict } from '../io/tensor';

export interface T2IAdapterConfig {
  readonly variant: 'full' | 'light';
  /** channels after the pixel unshuffle (hint channels × unshuffle²) */
  readonly cin: number;
  /** the four levels' widths (full: [c, 2c, 4c, 4c]) */
  readonly channels: readonly number[];
  /** resblocks per level (full: 2; light: ComfyUI's 4, counted from the file) */
  readonly numResBlocks: number;
  /** full: kernel of in_conv and block2 (1 or 3) */
  readonly ksize: number;
  /** full: a 3x3 stride-2 conv downsample (else average pooling) */
  readonly useConv: boolean;
  /** the SDXL variant: unshuffle 16, downsample only at level 2, the last feature to the middle block */
  readonly xl: boolean;
  readonly unshuffle: 8 | 16;
  /** the hint channels it takes (ComfyUI's channels_in; 1: the hint is averaged over its channels) */
  readonly inputChannels: number;
}

/** Diffusers T2I-Adapter names → TencentARC names (ComfyUI's prefix_replace table, applied in its order). */
export function t2iFromDiffusers(dict: StateDict): StateDict {
  if (!dict.has('adapter.body.0.resnets.0.block1.weight')) return dict;
  const rules: [string, string][] = [];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 2; j++) rules.push([`adapter.body.${i}.resnets.${j}.`, `body.${i * 2 + j}.`]);
    rules.push([`adapter.body.${i}.`, `body.${i * 2}.`]);
  }
  rules.push(['adapter.', '']);
  const out: StateDict = new Map();
  for (const [k, t] of dict) {
    const rule = rules.find(([from]) => k.startsWith(from));
    out.set(rule ? rule[1] + k.slice(rule[0].length) : k, t);
  }
  return out;
}

type Shapes = { has(k: string): boolean; shape(k: string): readonly number[] };

function shapesOf(dict: StateDict): Shapes {
  return { has: (k) => dict.has(k), shape: (k) => dict.get(k)?.shape ?? [] };
}

/** The adapter's config from its (TencentARC-named) tensors; every conv the model will use is checked. */
export function deriveT2IAdapterConfig(dict: StateDict, source: string): T2IAdapterConfig {
  const s = shapesOf(dict);
  const want = (k: string, shape: readonly number[]) => {
    if (!s.has(k)) throw new Error(`${source}: T2I-Adapter tensor ${k} is missing (a truncated or unknown adapter file?)`);
    const got = s.shape(k);
    if (got.length !== shape.length || got.some((d, i) => d !== shape[i]))
      throw new Error(`${source}: T2I-Adapter tensor ${k} has shape [${got.join(', ')}], expected [${shape.join(', ')}]`);
  };
  const conv = (p: string, cout: number, cin: number, k: number) => {
    want(`${p}.weight`, [cout, cin, k, k]);
    want(`${p}.bias`, [cout]);
  };
  if (s.has('body.0.in_conv.weight')) {
    // Adapter_light: four extractors (1x1 in_conv to channels/4, resblocks, 1x1 out_conv), avg-pool between
    const [inter0, cin] = s.shape('body.0.in_conv.weight');
    const channels = [0, 1, 2, 3].map((i) => s.shape(`body.${i}.out_conv.weight`)[0] ?? 0);
    let numResBlocks = 0;
    while (s.has(`body.0.body.${numResBlocks}.block1.weight`)) numResBlocks++;
    if (cin % 64 || channels.some((c) => !(c > 0)) || numResBlocks === 0 || inter0 * 4 !== channels[0])
      throw new Error(`${source}: not a T2I-Adapter light in a known shape (body.0.in_conv [${s.shape('body.0.in_conv.weight').join(', ')}])`);
    channels.forEach((c, i) => {
      const inter = c / 4;
      conv(`body.${i}.in_conv`, inter, i === 0 ? cin : channels[i - 1], 1);
      for (let r = 0; r < numResBlocks; r++) {
        conv(`body.${i}.body.${r}.block1`, inter, inter, 3);
        conv(`body.${i}.body.${r}.block2`, inter, inter, 3);
      }
      conv(`body.${i}.out_conv`, c, inter, 1);
    });
    return { variant: 'light', cin, channels, numResBlocks, ksize: 3, useConv: false, xl: false, unshuffle: 8, inputChannels: Math.floor(cin / 64) };
  }
  if (!s.has('conv_in.weight') || !s.has('body.0.block2.weight'))
    throw new Error(`${source}: has conv_in.weight but no body.0.block2.weight: a UNet or another model rather than a ControlNet or T2I-Adapter`);
  for (const k of ['conv_in.weight', 'body.0.block2.weight']) {
    if (s.shape(k).length !== 4)
      throw new Error(`${source}: T2I-Adapter tensor ${k} has shape [${s.shape(k).join(', ')}], expected a 4-d conv weight`);
  }
  const [c, cin] = s.shape('conv_in.weight');
  const ksize = s.shape('body.0.block2.weight')[2];
  const useConv = [...dict.keys()].some((k) => k.endsWith('down_opt.op.weight'));
  const xl = cin === 256 || cin === 768;
  const unshuffle = xl ? 16 : 8;
  const channels = [c, c * 2, c * 4, c * 4];
  conv('conv_in', c, cin, 3);
  const down = xl ? [2] : [3, 2, 1];
  const noDown = xl ? [1] : [];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 2; j++) {
      const p = `body.${i * 2 + j}`;
      const first = j === 0 && (down.includes(i) || noDown.includes(i));
      const inC = first ? channels[i - 1] : channels[i];
      const outC = channels[i];
      if (first && down.includes(i) && useConv) conv(`${p}.down_opt.op`, inC, inC, 3);
      if (inC !== outC) conv(`${p}.in_conv`, outC, inC, ksize);
      conv(`${p}.block1`, outC, outC, 3);
      conv(`${p}.block2`, outC, outC, ksize);
    }
  }
  return { variant: 'full', cin, channels, numResBlocks: 2, ksize, useConv, xl, unshuffle, inputChannels: Math.floor(cin / (unshuffle * unshuffle)) };
}

/**
 * The adapter's features as ComfyUI's forward returns them: `input` in list order (the UNet pops from the end, so the
 * last entry goes to input block 0), `middle` for xl. Each entry is the level whose output sits there, or null.
 */
export function t2iFeatureLayout(cfg: T2IAdapterConfig): { input: (number | null)[]; middle: (number | null)[] } {
  const features: (number | null)[] = [];
  for (let i = 0; i < cfg.channels.length; i++) {
    if (cfg.xl) {
      features.push(null);
      if (i === 0) features.push(null, null);
      if (i === 2) features.push(null);
    } else features.push(null, null);
    features.push(i);
  }
  features.reverse();
  return cfg.xl ? { input: features.slice(1), middle: features.slice(0, 1) } : { input: features, middle: [] };
}
