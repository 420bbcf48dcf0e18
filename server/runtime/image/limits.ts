/**
 * The largest tensor an image, mask or latent node may create: 2^29 float32 values (2 GiB). Nodes check the size
 * of what they are about to make against it before allocating, so a 16384x16384 batch fails with a sentence, not an
 * out-of-memory crash of the worker.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 29;

const gib = (elements: number) => `${((elements * 4) / 2 ** 30).toFixed(1)} GiB`;

/** Why a tensor of this shape may not be made, or null when it may. */
export function tensorSizeProblem(shape: readonly number[]): string | null {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) return `[${shape.join(', ')}] is not a tensor shape`;
    n *= d;
  }
  if (n > MAX_TENSOR_ELEMENTS) return `[${shape.join(', ')}] would take ${gib(n)}, more than the ${gib(MAX_TENSOR_ELEMENTS)} one tensor may`;
  return null;
}
