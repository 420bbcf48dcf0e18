/** Python's `a[start:stop]` on an axis of length n (negative indices count from the end), as [begin, end). */
export function pySlice(start: number, stop: number, n: number): [number, number] {
  const norm = (i: number) => (i < 0 ? Math.max(0, i + n) : Math.min(i, n));
  const b = norm(start);
  return [b, Math.max(b, norm(stop))];
}
