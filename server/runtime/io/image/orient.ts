/**
 * PIL's Image.transpose for the EXIF orientations ImageOps.exif_transpose maps (2..8), on interleaved 8-bit
 * pixels. Pure index permutation, so the result is exact.
 */
export interface Plane {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** Source pixel (sx, sy) for output pixel (x, y), per orientation; w/h are the source size. */
const SOURCE: Record<number, (x: number, y: number, w: number, h: number) => [number, number]> = {
  2: (x, y, w) => [w - 1 - x, y], // FLIP_LEFT_RIGHT
  3: (x, y, w, h) => [w - 1 - x, h - 1 - y], // ROTATE_180
  4: (x, y, _w, h) => [x, h - 1 - y], // FLIP_TOP_BOTTOM
  5: (x, y) => [y, x], // TRANSPOSE
  6: (x, y, _w, h) => [y, h - 1 - x], // ROTATE_270 (90° clockwise)
  7: (x, y, w, h) => [w - 1 - y, h - 1 - x], // TRANSVERSE
  8: (x, y, w) => [w - 1 - y, x], // ROTATE_90 (90° counter-clockwise)
};

export function orientPlane(p: Plane, orientation: number): Plane {
  const source = SOURCE[orientation];
  if (!source) return p;
  const swap = orientation >= 5;
  const width = swap ? p.height : p.width;
  const height = swap ? p.width : p.height;
  const c = p.channels;
  const out = new Uint8Array(p.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = source(x, y, p.width, p.height);
      const s = (sy * p.width + sx) * c;
      const d = (y * width + x) * c;
      for (let k = 0; k < c; k++) out[d + k] = p.data[s + k];
    }
  }
  return { data: out, width, height, channels: c };
}
