/** Batch-dimension operations on tensors (dimension 0, whatever the layout), as ComfyUI's utils do them. */
import type { FloatTensor } from '../values';

const itemSize = (t: FloatTensor): number => t.shape.slice(1).reduce((a, b) => a * b, 1);

/** t[start : start + length] along the batch. */
export function sliceBatch(t: FloatTensor, start: number, length: number): FloatTensor {
  const n = itemSize(t);
  return { shape: [length, ...t.shape.slice(1)], data: t.data.slice(start * n, (start + length) * n) };
}

/** torch.cat along the batch; the item shapes must agree. */
export function concatBatch(parts: readonly FloatTensor[]): FloatTensor {
  const item = parts[0].shape.slice(1);
  for (const p of parts) {
    if (p.shape.slice(1).join(',') !== item.join(',')) throw new Error(`cannot batch [${p.shape.join(', ')}] with [${parts[0].shape.join(', ')}]`);
  }
  const total = parts.reduce((a, p) => a + p.shape[0], 0);
  const data = new Float32Array(parts.reduce((a, p) => a + p.data.length, 0));
  let off = 0;
  for (const p of parts) {
    data.set(p.data, off);
    off += p.data.length;
  }
  return { shape: [total, ...item], data };
}

/** t.repeat(amount, 1, 1, …): the whole batch `amount` times. */
export function repeatBatch(t: FloatTensor, amount: number): FloatTensor {
  return concatBatch(Array.from({ length: amount }, () => t));
}

/** comfy.utils.repeat_to_batch_size: cut to `batch`, or repeat whole and cut. */
export function repeatToBatchSize(t: FloatTensor, batch: number): FloatTensor {
  const b = t.shape[0];
  if (b === batch) return t;
  if (b > batch) return sliceBatch(t, 0, batch);
  return sliceBatch(repeatBatch(t, Math.ceil(batch / b)), 0, batch);
}
