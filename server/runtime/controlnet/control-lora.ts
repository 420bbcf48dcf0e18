/**
 * Control-LoRA (Stability's `lora_controlnet` files, comfy/controlnet.py ControlLora): a ControlNet built from the
 * sampled model's UNet config and encoder weights, where the file supplies the hint block, zero convs and
 * middle_block_out, replaces some tensors outright (`.weight` / `.bias`) and patches others by a low-rank product
 * (`.up` · `.down` added to the model's weight, ControlLoraOps).
 */
import type { WeightProvider } from '../checkpoint/weights';
import { numel } from '../io/tensor';

/** The UNet parts a ControlNet has. */
const ENCODER = /^(time_embed|label_emb|input_blocks|middle_block)\./;

export function controlLoraWeights(file: WeightProvider, unet: WeightProvider, source: string, modelKey: string): WeightProvider {
  const own = (n: string) => file.has(n) && (n.endsWith('.weight') || n.endsWith('.bias')) && !n.includes('__');
  const lora = (n: string) => n.endsWith('.weight') && file.has(`${n.slice(0, -7)}.up`) && file.has(`${n.slice(0, -7)}.down`);
  const names = new Set<string>();
  for (const n of unet.names()) if (ENCODER.test(n)) names.add(n);
  for (const n of file.names()) if (own(n)) names.add(n);
  for (const n of file.names()) {
    if (!n.endsWith('.up')) continue;
    const w = `${n.slice(0, -3)}.weight`;
    if (!unet.has(w)) throw new Error(`${source}: Control-LoRA patch ${n} has no ${w} in the model's UNet: a Control-LoRA for another model family?`);
    const [up, down] = [file.info(n).shape, file.info(`${n.slice(0, -3)}.down`).shape];
    if (up[0] * numel(down.slice(1)) !== numel(unet.info(w).shape) || up[1] !== down[0]) {
      throw new Error(
        `${source}: Control-LoRA patch ${n} [${up.join(', ')}] · [${down.join(', ')}] does not fit the model's ${w} [${unet.info(w).shape.join(', ')}]: a Control-LoRA for another model family?`,
      );
    }
  }
  const from = (n: string) => (own(n) ? file : unet);
  const memo = new Map<string, Promise<Float32Array>>();
  const patched = async (n: string): Promise<Float32Array> => {
    const stem = n.slice(0, -7);
    // ControlLoraOps adds up·down to whichever weight the module holds (the file's when it has one)
    const [w, up, down] = await Promise.all([from(n).float32(n), file.float32(`${stem}.up`), file.float32(`${stem}.down`)]);
    const [rows, rank] = file.info(`${stem}.up`).shape;
    const cols = down.length / rank;
    const out = Float32Array.from(w);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        let s = 0;
        for (let k = 0; k < rank; k++) s += up[r * rank + k] * down[k * cols + c];
        out[r * cols + c] += s;
      }
    }
    return out;
  };
  return {
    names: () => [...names],
    has: (n) => names.has(n),
    info: (n) => (lora(n) ? { dtype: 'F32', shape: from(n).info(n).shape } : from(n).info(n)),
    fileRange: (n) => (lora(n) ? undefined : from(n).fileRange(n)),
    float32: (n) => {
      if (!lora(n)) return from(n).float32(n);
      let v = memo.get(n);
      if (!v) {
        v = patched(n);
        memo.set(n, v);
      }
      return v;
    },
    identity: (n) => {
      if (!lora(n)) return from(n).identity(n);
      const stem = n.slice(0, -7);
      return `${from(n).identity(n)}+controllora(${file.identity(`${stem}.up`)},${file.identity(`${stem}.down`)})@${modelKey}`;
    },
  };
}
