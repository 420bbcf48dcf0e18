/**
 * SaveCheckpoint: materialise handles' providers (with every merge / LoRA patch applied) into one
 * .safetensors in the family's checkpoint layout, one tensor in memory at a time.
 */
import { open } from 'node:fs/promises';
import { float32ToBF16, float32ToF16 } from '../io/dtype';
import { writeSafetensors, type TensorEntry } from '../io/safetensors-write';
import type { DType, FileRange } from '../io/tensor';
import { FAMILY_RULES, V_PREDICTION_MARKERS, type ComponentName } from './families';
import { WrittenHash } from './hash-stream';
import type { WeightProvider } from './weights';
import type { ClipHandle, ModelHandle, VaeHandle } from '../handles';

async function readRange(r: FileRange): Promise<Uint8Array> {
  const fh = await open(r.path, 'r');
  try {
    const buf = Buffer.alloc(r.length);
    await fh.read(buf, 0, r.length, r.offset);
    return buf;
  } finally {
    await fh.close();
  }
}

function encodeFloat(v: Float32Array, dtype: DType): Uint8Array {
  if (dtype === 'F16') return new Uint8Array(float32ToF16(v).buffer);
  if (dtype === 'BF16') return new Uint8Array(float32ToBF16(v).buffer);
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function encodeInt(v: Float32Array, dtype: DType, name: string): Uint8Array {
  if (dtype === 'I64') return new Uint8Array(BigInt64Array.from(v, (x) => BigInt(Math.round(x))).buffer);
  if (dtype === 'I32') return new Uint8Array(Int32Array.from(v, Math.round).buffer);
  throw new Error(`cannot write patched ${dtype} tensor "${name}"`);
}

const FLOATS: ReadonlySet<DType> = new Set(['F16', 'F32', 'BF16', 'F64']);

function entries(p: WeightProvider, prefix: string): TensorEntry[] {
  return p.names().map((name) => {
    const { dtype: stored, shape } = p.info(name);
    // F64 tensors (rare) are written as F32: the runtime computes in fp32 anyway
    const dtype: DType = stored === 'F64' ? 'F32' : stored;
    return {
      name: prefix + name,
      dtype,
      shape,
      data: async () => {
        const range = p.fileRange(name);
        if (range && dtype === stored) return readRange(range);
        const v = await p.float32(name);
        return FLOATS.has(dtype) ? encodeFloat(v, dtype) : encodeInt(v, dtype, name);
      },
    };
  });
}

export interface SaveRequest {
  model: ModelHandle;
  clip: ClipHandle;
  vae: VaeHandle;
  file: string;
  metadata: Record<string, string>;
}

export async function saveCheckpoint(r: SaveRequest): Promise<{ tensors: number; bytes: number }> {
  if (r.clip.family !== r.model.family) throw new Error(`MODEL is ${r.model.family} but CLIP is ${r.clip.family}`);
  const rule = FAMILY_RULES.find((f) => f.family === r.model.family);
  if (!rule) throw new Error(`no checkpoint layout known for ${r.model.family}`);
  const prefix = (c: ComponentName) => {
    const p = rule.components[c];
    if (p === undefined) throw new Error(`${r.model.family} checkpoints have no ${c} component`);
    return p;
  };
  const list = [...entries(r.model.unet, prefix('unet')), ...entries(r.vae.vae, prefix('vae'))];
  for (const [tower, p] of Object.entries(r.clip.towers)) if (p) list.push(...entries(p, prefix(tower as ComponentName)));
  // the explicit marker loadCheckpoint (and ComfyUI) read back as v-prediction
  if (r.model.prediction === 'v_prediction')
    list.push({ name: V_PREDICTION_MARKERS[0], dtype: 'F32', shape: [0], data: async () => new Uint8Array(0) });
  const recipe = { model: r.model.recipe, clip: r.clip.recipe, vae: r.vae.recipe };
  // hashed on its way out, so the model library lists its sha256 without reading it back
  const hashed = new WrittenHash();
  const written = await writeSafetensors(
    r.file,
    list,
    { format: 'pt', ...r.metadata, 'latentloom.recipe': JSON.stringify(recipe) },
    { observe: hashed.observe },
  );
  await hashed.record(r.file);
  return written;
}
