/** Writes generated weights as .safetensors (fp16 or fp32) and frees them: how the benches make their model files. */
import { float32ToF16 } from '../../server/runtime/io/dtype';
import { writeSafetensors } from '../../server/runtime/io/safetensors-write';
import type { Tensors } from '../../tests/helpers/random-models';

export async function writeTensors(file: string, tensors: Tensors, half: boolean): Promise<void> {
  await writeSafetensors(
    file,
    [...tensors].map(([name, t]) => ({
      name,
      dtype: half ? ('F16' as const) : ('F32' as const),
      shape: t.shape,
      data: async () => {
        const d = half ? float32ToF16(t.data) : t.data;
        return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
      },
    })),
  );
  tensors.clear();
}
