/**
 * GLIGEN textbox models (ComfyUI comfy/gligen.py): a PositionNet turning (phrase embedding, box) pairs into
 * grounding tokens, and one GatedSelfAttentionDense "fuser" per SpatialTransformer of the UNet, applied after each
 * block's self-attention (ComfyUI's middle_patch). This file reads the weights and prepares the per-row inputs;
 * the graph is in models/unet.ts.
 */
import path from 'node:path';
import type { WeightProvider } from '../checkpoint/weights';

/** ComfyUI's Gligen.max_objs: the grounding tokens are always padded to 30 */
export const GLIGEN_MAX_OBJS = 30;
/** PositionNet's FourierEmbedder(num_freqs=8): sin and cos of 8 frequencies of 4 coordinates */
export const GLIGEN_FOURIER_FREQS = 8;
export const GLIGEN_POSITION_DIM = GLIGEN_FOURIER_FREQS * 2 * 4;

export interface GligenFuser {
  /** weight-name prefix of the fuser's parameters, ending in `.fuser` */
  prefix: string;
  heads: number;
}

export interface GligenModel {
  /** fusers in ComfyUI's order (input_blocks, middle_block, output_blocks by block number) = transformer_index */
  fusers: readonly GligenFuser[];
  /** phrase embedding width (null_positive_feature) */
  inDim: number;
  /** grounding token width (position_net.linears.4 out = every fuser's linear in) */
  keyDim: number;
}

/** One GLIGENTextBoxApply box, in latent units as ComfyUI keeps it: (pooled, height//8, width//8, y//8, x//8). */
export interface GligenBox {
  readonly embedding: Float32Array;
  readonly height: number;
  readonly width: number;
  readonly y: number;
  readonly x: number;
}

const POSITION_KEYS = [
  'position_net.null_positive_feature',
  'position_net.null_position_feature',
  'position_net.linears.0.weight',
  'position_net.linears.4.weight',
];

/** Reads a GLIGEN file's layout (ComfyUI's load_gligen): the fusers and the PositionNet sizes. */
export function readGligen(weights: WeightProvider, file: string): GligenModel {
  const name = path.basename(file);
  const keys = weights.names();
  const missing = POSITION_KEYS.filter((k) => !weights.has(k));
  const fuserKeys = keys.filter((k) => k.includes('.fuser.'));
  if (missing.length > 0 || fuserKeys.length === 0) {
    const found = [...new Set(keys.map((k) => k.split('.').slice(0, 2).join('.')))].slice(0, 8).join(', ');
    throw new Error(
      `${name} is not a GLIGEN textbox model (${missing.length ? `no ${missing[0]}` : 'no .fuser. weights'}; found ${found || 'no tensors'})`,
    );
  }
  const fusers: GligenFuser[] = [];
  for (const block of ['input_blocks', 'middle_block', 'output_blocks']) {
    for (let b = 0; b < 20; b++) {
      const prefixes = [
        ...new Set(fuserKeys.filter((k) => k.includes(`${block}.${b}.`)).map((k) => k.slice(0, k.indexOf('.fuser.') + '.fuser'.length))),
      ];
      if (prefixes.length === 0) continue;
      if (prefixes.length > 1)
        throw new Error(`${name}: ${block}.${b} holds ${prefixes.length} fusers (${prefixes.join(', ')}); GLIGEN has one per transformer`);
      const p = prefixes[0];
      const [queryDim, keyDim] = weights.info(`${p}.linear.weight`).shape;
      // ComfyUI: 8 heads for SD1's 768-wide grounding tokens, else heads of 64
      fusers.push({ prefix: p, heads: keyDim === 768 ? 8 : Math.max(1, Math.floor(queryDim / 64)) });
    }
  }
  const inDim = weights.info('position_net.null_positive_feature').shape[0];
  const keyDim = weights.info('position_net.linears.4.weight').shape[0];
  for (const f of fusers) {
    const k = weights.info(`${f.prefix}.linear.weight`).shape[1];
    if (k !== keyDim) throw new Error(`${name}: ${f.prefix}.linear takes ${k}-wide tokens but the position net makes ${keyDim}`);
  }
  return { fusers, inDim, keyDim };
}

/** FourierEmbedder's frequencies, as torch computes them in float32: 100 ** (arange(8) / 8). */
const FREQS = Array.from({ length: GLIGEN_FOURIER_FREQS }, (_, k) => Math.fround(100 ** Math.fround(k / GLIGEN_FOURIER_FREQS)));

/** Per-row PositionNet inputs for one conditioning's boxes on a latent of [h, w] (ComfyUI's Gligen.set_position). */
export interface GligenRowInputs {
  /** [30, 64]: sin/cos(freq·(x1, y1, x2, y2)) per frequency, zeros for padding */
  fourier: Float32Array;
  /** [30]: 1 for a box, 0 for padding */
  masks: Float32Array;
  /** [30, inDim] */
  embeddings: Float32Array;
}

export function gligenRowInputs(boxes: readonly GligenBox[], inDim: number, h: number, w: number): GligenRowInputs {
  if (boxes.length > GLIGEN_MAX_OBJS) throw new Error(`GLIGEN takes at most ${GLIGEN_MAX_OBJS} boxes per conditioning, got ${boxes.length}`);
  const fourier = new Float32Array(GLIGEN_MAX_OBJS * GLIGEN_POSITION_DIM);
  const masks = new Float32Array(GLIGEN_MAX_OBJS);
  const embeddings = new Float32Array(GLIGEN_MAX_OBJS * inDim);
  const f = Math.fround;
  boxes.forEach((b, i) => {
    if (b.embedding.length !== inDim)
      throw new Error(
        `GLIGEN: a phrase embedding of ${b.embedding.length} values for a model taking ${inDim}: text encoded by another model family?`,
      );
    const xyxy = [f(b.x / w), f(b.y / h), f((b.x + b.width) / w), f((b.y + b.height) / h)];
    masks[i] = 1;
    embeddings.set(b.embedding, i * inDim);
    FREQS.forEach((fr, k) => {
      for (let c = 0; c < 4; c++) {
        const a = f(fr * xyxy[c]);
        fourier[i * GLIGEN_POSITION_DIM + k * 8 + c] = Math.sin(a);
        fourier[i * GLIGEN_POSITION_DIM + k * 8 + 4 + c] = Math.cos(a);
      }
    });
  });
  // padding boxes: FourierEmbedder of zeros is sin 0 = 0, cos 0 = 1; the mask replaces them by the null feature anyway
  for (let i = boxes.length; i < GLIGEN_MAX_OBJS; i++)
    for (let k = 0; k < GLIGEN_FOURIER_FREQS; k++) fourier.fill(1, i * GLIGEN_POSITION_DIM + k * 8 + 4, i * GLIGEN_POSITION_DIM + k * 8 + 8);
  return { fourier, masks, embeddings };
}
