/** Long pixel loops run in slices with a yield between them, so decoding a large image never stalls the event loop for long. */

/** Items handled per slice: about a millisecond or two of simple per-pixel work. */
export const SLICE = 1 << 19;

/** Calls fn(start, end) over [0, total) in slices, yielding to the event loop between them. */
export async function inSlices(total: number, fn: (start: number, end: number) => void, slice = SLICE): Promise<void> {
  for (let start = 0; start < total; start += slice) {
    if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    fn(start, Math.min(total, start + slice));
  }
}
