/**
 * comfy.sample.prepare_noise: the initial noise of KSampler / KSamplerAdvanced. Without a batch_index it is one
 * `torch.randn(shape)` from a generator seeded with the seed; with one (LatentFromBatch, RepeatLatentBatch,
 * LatentBatch), one `randn([1, …])` per index from 0 up to the largest, in order, keeping those the batch names, so a
 * sample keeps the noise it had in the batch it came from.
 */
import { TorchGenerator } from './rng';

/** A bound on the draws a batch_index may ask for (each draw is a whole latent): far above any real workflow's. */
export const MAX_NOISE_INDEX = 65535;

export function prepareNoise(shape: readonly number[], seed: bigint | number, batchIndex?: readonly number[]): Float32Array {
  const gen = new TorchGenerator(seed);
  if (!batchIndex) return gen.randn(shape);
  if (batchIndex.length !== shape[0]) {
    throw new Error(`the latent's batch_index lists ${batchIndex.length} samples but the batch holds ${shape[0]}`);
  }
  const wanted = new Set(batchIndex);
  let last = -1;
  for (const i of wanted) {
    if (!Number.isSafeInteger(i) || i < 0 || i > MAX_NOISE_INDEX) throw new Error(`batch_index ${i} is not an index in 0..${MAX_NOISE_INDEX}`);
    last = Math.max(last, i);
  }
  const item = shape.slice(1);
  const size = item.reduce((a, b) => a * b, 1);
  const drawn = new Map<number, Float32Array>();
  for (let i = 0; i <= last; i++) {
    const noise = gen.randn([1, ...item]);
    if (wanted.has(i)) drawn.set(i, noise);
  }
  const out = new Float32Array(batchIndex.length * size);
  batchIndex.forEach((i, b) => out.set(drawn.get(i) as Float32Array, b * size));
  return out;
}
