/**
 * Tiny T2I-Adapter files with formula weights, the same as tests/fixtures/comfy-refs/t2i_adapter_refs.py writes
 * (tensor t in sorted key order, flat index k: float32(sin(0.7137 k + 1.3 t + 0.2) · s), s = 0.5/sqrt(fan_in) for
 * conv weights, 0.05 for biases), so ComfyUI's numbers for them can be inlined in tests.
 */
import { writeSafetensors } from '../../server/runtime/io/safetensors-write';
import { f32Entry } from './controlnet-files';

export type Shapes = Map<string, number[]>;

function conv(out: Shapes, p: string, cout: number, cin: number, k: number): void {
  out.set(`${p}.weight`, [cout, cin, k, k]);
  out.set(`${p}.bias`, [cout]);
}

/** comfy.t2i_adapter.adapter.Adapter(cin, channels [c, 2c, 4c, 4c], nums_rb 2, ksize, sk True, use_conv, xl) */
export function fullAdapterShapes(o: { cin: number; c: number; ksize: number; useConv: boolean; xl: boolean }): Shapes {
  const s: Shapes = new Map();
  const ch = [o.c, o.c * 2, o.c * 4, o.c * 4];
  conv(s, 'conv_in', o.c, o.cin, 3);
  const down = o.xl ? [2] : [3, 2, 1];
  const noDown = o.xl ? [1] : [];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 2; j++) {
      const p = `body.${i * 2 + j}`;
      const first = j === 0 && (down.includes(i) || noDown.includes(i));
      const inC = first ? ch[i - 1] : ch[i];
      if (first && down.includes(i) && o.useConv) conv(s, `${p}.down_opt.op`, inC, inC, 3);
      if (inC !== ch[i]) conv(s, `${p}.in_conv`, ch[i], inC, o.ksize);
      conv(s, `${p}.block1`, ch[i], ch[i], 3);
      conv(s, `${p}.block2`, ch[i], ch[i], o.ksize);
    }
  }
  return s;
}

/** comfy.t2i_adapter.adapter.Adapter_light(cin, channels, nums_rb) */
export function lightAdapterShapes(o: { cin: number; channels: number[]; numResBlocks: number }): Shapes {
  const s: Shapes = new Map();
  o.channels.forEach((c, i) => {
    conv(s, `body.${i}.in_conv`, c / 4, i === 0 ? o.cin : o.channels[i - 1], 1);
    for (let r = 0; r < o.numResBlocks; r++) {
      conv(s, `body.${i}.body.${r}.block1`, c / 4, c / 4, 3);
      conv(s, `body.${i}.body.${r}.block2`, c / 4, c / 4, 3);
    }
    conv(s, `body.${i}.out_conv`, c, c / 4, 1);
  });
  return s;
}

/** The script's adapters. */
export const ADAPTERS = {
  full: () => fullAdapterShapes({ cin: 192, c: 32, ksize: 1, useConv: false, xl: false }),
  sketch: () => fullAdapterShapes({ cin: 64, c: 32, ksize: 3, useConv: true, xl: false }),
  xl: () => fullAdapterShapes({ cin: 768, c: 64, ksize: 1, useConv: false, xl: true }),
  light: () => lightAdapterShapes({ cin: 192, channels: [16, 32, 64, 64], numResBlocks: 4 }),
};

export function formulaTensor(shape: readonly number[], t: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const s = shape.length > 1 ? 0.5 / Math.sqrt(shape.slice(1).reduce((a, b) => a * b, 1)) : 0.05;
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) out[k] = Math.sin(0.7137 * k + 1.3 * t + 0.2) * s;
  return out;
}

/** The formula hint: float32(0.5 + 0.5 sin(0.37 i)) in NCHW order. */
export function formulaHint(shape: readonly number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, (_, i) => 0.5 + 0.5 * Math.sin(0.37 * i));
}

/** Filled tensors by TencentARC name (values follow the sorted-key index). */
export function formulaWeights(shapes: Shapes): Map<string, { shape: number[]; data: Float32Array }> {
  const keys = [...shapes.keys()].sort();
  return new Map(keys.map((k, t) => [k, { shape: shapes.get(k) as number[], data: formulaTensor(shapes.get(k) as number[], t) }]));
}

/** TencentARC names → diffusers names (the inverse of ComfyUI's prefix_replace), as the script's to_diffusers. */
export function diffusersName(k: string): string {
  const m = /^body\.(\d+)\.(.*)$/.exec(k);
  if (!m) return `adapter.${k}`;
  const [i, j] = [Math.floor(Number(m[1]) / 2), Number(m[1]) % 2];
  return m[2].startsWith('block') ? `adapter.body.${i}.resnets.${j}.${m[2]}` : `adapter.body.${i}.${m[2]}`;
}

export async function writeAdapter(target: string, shapes: Shapes, o: { diffusers?: boolean } = {}): Promise<void> {
  const w = formulaWeights(shapes);
  const entries = [...w].map(([k, t]) => f32Entry(o.diffusers ? diffusersName(k) : k, t.shape, t.data));
  await writeSafetensors(target, entries);
}
