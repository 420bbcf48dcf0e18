/** Test ControlNet files built from the tiny checkpoints (written to temp folders, never committed). */
import { openSafetensors } from '../../server/runtime/io/safetensors';
import { writeSafetensors, type TensorEntry } from '../../server/runtime/io/safetensors-write';
import { toFloat32 } from '../../server/runtime/io/dtype';
import { golden } from './golden';
import { mulberry32 } from './prng';

export const f32Entry = (name: string, shape: number[], data: Float32Array): TensorEntry => ({
  name,
  dtype: 'F32',
  shape,
  data: async () => new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
});

/** An SDXL ControlNet in the ldm layout: the tiny SDXL UNet's encoder + random hint block and zero convs (fp32). */
export async function writeSdxlControlNet(target: string): Promise<void> {
  const ckpt = await openSafetensors(golden('tiny-sdxl', 'model.safetensors'));
  const rand = mulberry32(7);
  const randn = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
  const entries: TensorEntry[] = [];
  const p = 'model.diffusion_model.';
  const channels: number[] = [];
  for (const [k, t] of ckpt.tensors) {
    const name = k.slice(p.length);
    if (!k.startsWith(p) || !/^(time_embed|label_emb|input_blocks|middle_block)\./.test(name)) continue;
    const data = toFloat32(new Uint8Array(await t.read()), t.dtype);
    entries.push(f32Entry(`control_model.${name}`, [...t.shape], data));
    const out = /^input_blocks\.(\d+)\.0\.(weight|in_layers\.2\.weight|op\.weight)$/.exec(name);
    if (out) channels[Number(out[1])] = t.shape[0];
  }
  const conv = (name: string, cout: number, cin: number, k: number) => {
    entries.push(f32Entry(`control_model.${name}.weight`, [cout, cin, k, k], randn(cout * cin * k * k, 1 / Math.sqrt(cin * k * k))));
    entries.push(f32Entry(`control_model.${name}.bias`, [cout], randn(cout, 0.1)));
  };
  const hint = [3, 16, 16, 32, 32, 96, 96, 256, channels[0]];
  for (let i = 0; i < 8; i++) conv(`input_hint_block.${2 * i}`, hint[i + 1], hint[i], 3);
  channels.forEach((c, i) => conv(`zero_convs.${i}.0`, c, c, 1));
  const mid = channels.at(-1) ?? 0;
  conv('middle_block_out.0', mid, mid, 1);
  await writeSafetensors(target, entries);
}
