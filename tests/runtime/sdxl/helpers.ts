export { maxAbsDiff } from '../../helpers/compare';

/** Columns [from, to) of every row of a [rows, dim] row-major array. */
export function cols(data: Float32Array, dim: number, from: number, to: number, rows = data.length / dim): Float32Array {
  const out = new Float32Array(rows * (to - from));
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * dim + from, r * dim + to), r * (to - from));
  return out;
}
