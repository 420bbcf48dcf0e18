import { writeSafetensors, type TensorEntry } from '@/server/runtime/io/safetensors-write';
import { float32ToF16 } from '@/server/runtime/io/dtype';
import { numel } from '@/server/runtime/io/tensor';

/** Writes a tiny F16 .safetensors with the given names and shapes; values from `fill` (default 0.5). */
export async function writeTiny(
  path: string,
  tensors: Record<string, number[]>,
  fill: (name: string, i: number) => number = () => 0.5,
): Promise<string> {
  const entries: TensorEntry[] = Object.entries(tensors).map(([name, shape]) => ({
    name,
    dtype: 'F16',
    shape,
    data: async () => {
      const f = new Float32Array(numel(shape)).map((_, i) => fill(name, i));
      const h = float32ToF16(f);
      return new Uint8Array(h.buffer);
    },
  }));
  await writeSafetensors(path, entries);
  return path;
}

export const UNET_IN = 'model.diffusion_model.input_blocks.0.0.weight';
export const unet = (inCh = 4) => ({ [UNET_IN]: [8, inCh, 3, 3], 'model.diffusion_model.out.2.weight': [4, 8, 3, 3] });
export const vae = { 'first_stage_model.decoder.conv_out.weight': [3, 4, 3, 3] };
