/**
 * open_clip's image tower (`visual.` names, as unCLIP checkpoints carry it under `embedder.model.visual.`) renamed to
 * HF CLIPVisionModelWithProjection names, as ComfyUI's clip_vision.convert_to_transformers does: in_proj split into
 * q/k/v (contiguous row blocks, so still file ranges) and `proj` transposed into visual_projection.
 */
import { DTYPE_SIZE, type StateDict, type TensorRef } from '../io/tensor';

const TOP: Readonly<Record<string, string>> = {
  class_embedding: 'vision_model.embeddings.class_embedding',
  'conv1.weight': 'vision_model.embeddings.patch_embedding.weight',
  positional_embedding: 'vision_model.embeddings.position_embedding.weight',
  'ln_pre.weight': 'vision_model.pre_layrnorm.weight',
  'ln_pre.bias': 'vision_model.pre_layrnorm.bias',
  'ln_post.weight': 'vision_model.post_layernorm.weight',
  'ln_post.bias': 'vision_model.post_layernorm.bias',
};
const BLOCK: Readonly<Record<string, string>> = {
  ln_1: 'layer_norm1',
  ln_2: 'layer_norm2',
  'mlp.c_fc': 'mlp.fc1',
  'mlp.c_proj': 'mlp.fc2',
  'attn.out_proj': 'self_attn.out_proj',
};

/** Rows [from, from + rows) of a tensor: a contiguous slice of its bytes. */
function rowSlice(t: TensorRef, name: string, from: number, rows: number): TensorRef {
  const rowBytes = t.shape.slice(1).reduce((a, b) => a * b, 1) * DTYPE_SIZE[t.dtype];
  const start = from * rowBytes;
  const length = rows * rowBytes;
  return {
    name,
    dtype: t.dtype,
    shape: [rows, ...t.shape.slice(1)],
    ...(t.file ? { file: { path: t.file.path, offset: t.file.offset + start, length } } : {}),
    read: async () => (await t.read()).subarray(start, start + length),
  };
}

/** A 2-D tensor transposed (read and reordered in memory). */
function transposed(t: TensorRef, name: string): TensorRef {
  const [r, c] = t.shape;
  const size = DTYPE_SIZE[t.dtype];
  return {
    name,
    dtype: t.dtype,
    shape: [c, r],
    read: async () => {
      const src = await t.read();
      const out = Buffer.alloc(src.length);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) src.copy(out, (j * r + i) * size, (i * c + j) * size, (i * c + j + 1) * size);
      return out;
    },
  };
}

/** The tensors under `prefix` (open_clip visual) as an HF-named state dict; null when `prefix` holds no open_clip tower. */
export function openClipVisualAsHf(dict: StateDict, prefix: string): StateDict | null {
  if (!dict.has(`${prefix}transformer.resblocks.0.attn.in_proj_weight`)) return null;
  const out: StateDict = new Map();
  for (const [k, t] of dict) {
    if (!k.startsWith(prefix)) continue;
    const rel = k.slice(prefix.length);
    const top = TOP[rel];
    if (top) {
      out.set(top, { ...t, name: top, read: () => t.read() });
      continue;
    }
    if (rel === 'proj') {
      out.set('visual_projection.weight', transposed(t, 'visual_projection.weight'));
      continue;
    }
    const m =
      /^transformer\.resblocks\.(\d+)\.(.+)\.(weight|bias)$/.exec(rel) ?? /^transformer\.resblocks\.(\d+)\.attn\.in_proj_(weight|bias)$/.exec(rel);
    if (!m) throw new Error(`open_clip image tower: unexpected tensor ${k}`);
    const layer = `vision_model.encoder.layers.${m[1]}`;
    if (rel.includes('.attn.in_proj_')) {
      const kind = m[2];
      const w = t.shape[0] / 3;
      ['q_proj', 'k_proj', 'v_proj'].forEach((p, i) =>
        out.set(`${layer}.self_attn.${p}.${kind}`, rowSlice(t, `${layer}.self_attn.${p}.${kind}`, i * w, w)),
      );
      continue;
    }
    const to = BLOCK[m[2]];
    if (!to) throw new Error(`open_clip image tower: unexpected tensor ${k}`);
    const name = `${layer}.${to}.${m[3]}`;
    out.set(name, { ...t, name, read: () => t.read() });
  }
  return out;
}
