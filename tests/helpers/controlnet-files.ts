/** Test ControlNet files built from the tiny checkpoints (written to temp folders, never committed). */
import { openSafetensors } from '../../server/runtime/io/safetensors';
import { writeSafetensors, type TensorEntry } from '../../server/runtime/io/safetensors-write';
import { toFloat32 } from '../../server/runtime/io/dtype';
import { golden } from './golden';
import { mulberry32 } from './prng';
import { RandomDict, randomUNet, type RandomUNetSpec, type Tensors } from './random-models';

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

/** A random ControlNet (cldm names, no prefix) for a UNet spec: its own encoder, the hint block, zero convs. */
export function randomControlNet(spec: RandomUNetSpec, seed = 5, uniform = false): Tensors {
  const all = randomUNet(spec, seed, uniform);
  const out: Tensors = new Map();
  for (const [k, t] of all) if (/^(time_embed|label_emb|input_blocks|middle_block)\./.test(k)) out.set(k, t);
  const d = new RandomDict(seed + 1, uniform);
  const hint = [3, 16, 16, 32, 32, 96, 96, 256, spec.modelChannels];
  for (let i = 0; i < 8; i++) d.conv(`input_hint_block.${2 * i}`, hint[i + 1], hint[i], 3);
  // skip widths: input_blocks.0, then each level's blocks and its downsample
  const widths = [spec.modelChannels];
  spec.channelMult.forEach((m, level) => {
    for (let r = 0; r < spec.numResBlocks; r++) widths.push(m * spec.modelChannels);
    if (level < spec.channelMult.length - 1) widths.push(m * spec.modelChannels);
  });
  widths.forEach((c, i) => d.conv(`zero_convs.${i}.0`, c, c, 1));
  const mid = widths.at(-1) ?? 0;
  d.conv('middle_block_out.0', mid, mid, 1);
  for (const [k, t] of d.tensors) out.set(k, t);
  return out;
}

/**
 * A Control-LoRA for the tiny SDXL checkpoint, in Stability's layout: `lora_controlnet`, the hint block, zero convs and
 * middle_block_out in full, low-rank `.up`/`.down` patches on a conv and three linears, and two tensors replaced.
 */
export async function writeSdxlControlLora(target: string): Promise<void> {
  const rand = mulberry32(11);
  const randn = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
  const entries: TensorEntry[] = [f32Entry('lora_controlnet', [0], new Float32Array(0))];
  const conv = (name: string, cout: number, cin: number, k: number) => {
    entries.push(f32Entry(`${name}.weight`, [cout, cin, k, k], randn(cout * cin * k * k, 1 / Math.sqrt(cin * k * k))));
    entries.push(f32Entry(`${name}.bias`, [cout], randn(cout, 0.1)));
  };
  const hint = [3, 16, 16, 32, 32, 96, 96, 256, 64];
  for (let i = 0; i < 8; i++) conv(`input_hint_block.${2 * i}`, hint[i + 1], hint[i], 3);
  [64, 64, 64, 64, 128, 128].forEach((c, i) => conv(`zero_convs.${i}.0`, c, c, 1));
  conv('middle_block_out.0', 128, 128, 1);
  const rank = 4;
  const lora = (name: string, out: number, inner: number[]) => {
    const k = inner.length > 1;
    entries.push(f32Entry(`${name}.up`, k ? [out, rank, 1, 1] : [out, rank], randn(out * rank, 0.2)));
    const n = inner.reduce((a, b) => a * b, 1);
    entries.push(f32Entry(`${name}.down`, [rank, ...inner], randn(rank * n, 0.2)));
  };
  lora('input_blocks.1.0.in_layers.2', 64, [64, 3, 3]);
  lora('input_blocks.4.1.transformer_blocks.0.attn2.to_k', 128, [192]);
  lora('middle_block.1.proj_in', 128, [128]);
  lora('time_embed.0', 256, [64]);
  entries.push(
    f32Entry(
      'input_blocks.4.0.in_layers.0.weight',
      [64],
      randn(64, 0.5).map((v) => v + 1),
    ),
  );
  entries.push(f32Entry('input_blocks.1.0.in_layers.2.bias', [64], randn(64, 0.3)));
  await writeSafetensors(target, entries);
}
