/**
 * ComfyUI CLIPTextEncodeSDXL on top of the plain SDXL text encode: clip_l columns from text_l,
 * clip_g columns and the pooled vector from text_g; when their chunk counts differ the shorter side is
 * padded with chunks of the empty prompt (ComfyUI appends `tokenize("")` chunks). Each 77-token chunk is
 * encoded on its own, so these are the columns ComfyUI gets from one joint encode. A refiner CLIP (clip_g only) encodes
 * text_g alone, as ComfyUI's SDXLRefinerClipModel.
 */
import type { ModelCache } from '../../server/runtime/model-cache';
import { deriveClipConfig } from '../../server/runtime/checkpoint/arch/clip';
import type { ClipHandle, CondEntry, Conditioning } from '../../server/runtime/handles';
import type { SdxlSizes } from '../../server/runtime/text/sdxl-size-cond';
import { encodeText } from '../../server/runtime/text/encode-clip';

export interface SdxlPrompts {
  textG: string;
  textL: string;
}

/** context columns [from, to) of every token row, repeated with `pad` rows until `tokens` rows. */
function columns(c: CondEntry, from: number, to: number, tokens: number, pad: CondEntry): Float32Array {
  const width = to - from;
  const out = new Float32Array(tokens * width);
  const copy = (src: CondEntry, srcRows: number, rowOffset: number) => {
    const dim = src.cross.shape[2];
    for (let t = 0; t < srcRows && rowOffset + t < tokens; t++) {
      out.set(src.cross.data.subarray(t * dim + from, t * dim + to), (rowOffset + t) * width);
    }
  };
  const own = c.cross.shape[1];
  copy(c, own, 0);
  for (let row = own; row < tokens; row += pad.cross.shape[1]) copy(pad, pad.cross.shape[1], row);
  return out;
}

export interface SdxlEncodeOptions {
  warn?: (message: string) => void;
  embeddingDirs?: readonly string[];
}

export async function encodeSdxl(
  models: ModelCache,
  clip: ClipHandle,
  prompts: SdxlPrompts,
  sizes: SdxlSizes,
  o: SdxlEncodeOptions = {},
): Promise<Conditioning> {
  const encode = async (text: string) => (await encodeText(models, clip, text, o.warn, { embeddingDirs: o.embeddingDirs ?? [] })).entries[0];
  const sizeFields = {
    width: sizes.width,
    height: sizes.height,
    cropW: sizes.cropW,
    cropH: sizes.cropH,
    targetWidth: sizes.targetWidth,
    targetHeight: sizes.targetHeight,
  };
  if (clip.family === 'sdxl_refiner') {
    // SDXLRefinerClipModel encodes the "g" tokens only: text_g, padded with empty chunks when text_l has more (ComfyUI)
    const g = await encode(prompts.textG);
    const lTokens = prompts.textL === prompts.textG ? g.cross.shape[1] : (await encode(prompts.textL)).cross.shape[1];
    if (!g.pooled) throw new Error('CLIPTextEncodeSDXL: the clip_g tower gave no pooled output (no text_projection?)');
    const tokens = Math.max(g.cross.shape[1], lTokens);
    const dim = g.cross.shape[2];
    const cross = tokens === g.cross.shape[1] ? g.cross : { data: columns(g, 0, dim, tokens, await encode('')), shape: [1, tokens, dim] };
    return { kind: 'conditioning', entries: [{ family: clip.family, cross, pooled: g.pooled, ...sizeFields }] };
  }
  const clipL = clip.towers.clip_l;
  if (clip.family !== 'sdxl' || !clipL || !clip.towers.clip_g) {
    throw new Error(
      `CLIPTextEncodeSDXL: needs an SDXL base CLIP (clip_l + clip_g), got a ${clip.family} CLIP with ${Object.keys(clip.towers).join(', ') || 'no'} towers.`,
    );
  }
  const g = await encode(prompts.textG);
  const l = prompts.textL === prompts.textG ? g : await encode(prompts.textL);
  const lWidth = deriveClipConfig(clipL).width;
  const dim = g.cross.shape[2];
  if (l.cross.shape[2] !== dim || lWidth >= dim)
    throw new Error(`CLIPTextEncodeSDXL: unexpected context widths (clip_l ${lWidth}, joint ${dim} / ${l.cross.shape[2]})`);
  const tokens = Math.max(g.cross.shape[1], l.cross.shape[1]);
  const empty = tokens === g.cross.shape[1] && tokens === l.cross.shape[1] ? g : await encode('');
  const lCols = columns(l, 0, lWidth, tokens, empty);
  const gCols = columns(g, lWidth, dim, tokens, empty);
  const data = new Float32Array(tokens * dim);
  const gWidth = dim - lWidth;
  for (let t = 0; t < tokens; t++) {
    data.set(lCols.subarray(t * lWidth, (t + 1) * lWidth), t * dim);
    data.set(gCols.subarray(t * gWidth, (t + 1) * gWidth), t * dim + lWidth);
  }
  if (!g.pooled) throw new Error('CLIPTextEncodeSDXL: the clip_g tower gave no pooled output (no text_projection?)');
  return {
    kind: 'conditioning',
    entries: [
      {
        family: clip.family,
        cross: { data, shape: [1, tokens, dim] },
        pooled: g.pooled,
        ...sizeFields,
      },
    ],
  };
}
