/**
 * Test-side rewriting of the golden kohya LoRA into other namings/forms. Kept independent of the
 * production tables: kohya names are turned back into dotted module paths with a token list.
 */
const JOINED_TOKENS = [
  'down_blocks',
  'mid_block',
  'up_blocks',
  'transformer_blocks',
  'proj_in',
  'proj_out',
  'to_q',
  'to_k',
  'to_v',
  'to_out',
  'text_model',
  'self_attn',
  'q_proj',
  'k_proj',
  'v_proj',
  'out_proj',
];

export function kohyaToDotted(module: string): { prefix: 'unet' | 'text_encoder'; path: string } {
  const m = /^lora_(unet|te)_(.*)$/.exec(module);
  if (!m) throw new Error(`not a kohya module: ${module}`);
  let path = m[2].replace(/_/g, '.');
  for (const t of JOINED_TOKENS) path = path.split(t.replace(/_/g, '.')).join(t);
  return { prefix: m[1] === 'unet' ? 'unet' : 'text_encoder', path };
}

/** decoded LoRA tensors by key */
export type Tensors = Map<string, { shape: readonly number[]; data: Float32Array }>;

export function modulesOf(t: Tensors): string[] {
  return [...new Set([...t.keys()].map((k) => k.replace(/\.(lora_up\.weight|lora_down\.weight|alpha)$/, '')))];
}

export function scaled(data: Float32Array, k: number): Float32Array {
  return data.map((v) => v * k);
}

export const ones = (n: number) => new Float32Array(n).fill(1);
