/**
 * Grey dilation / erosion with a 3x3 footprint, repeated — scipy.ndimage.grey_dilation / grey_erosion as ComfyUI's
 * GrowMask calls them (mode "reflect": the edge pixel stands in for outside ones, which the footprint's centre
 * already covers, so outside pixels simply do not count). `cross` is the footprint without corners.
 */

/** One pass over a [h, w] plane. */
function pass(src: Float32Array, dst: Float32Array, h: number, w: number, grow: boolean, cross: boolean): boolean {
  let changed = false;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = src[y * w + x];
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w || (cross && dx !== 0 && dy !== 0)) continue;
          const u = src[yy * w + xx];
          if (grow ? u > v : u < v) v = u;
        }
      }
      if (v !== src[y * w + x]) changed = true;
      dst[y * w + x] = v;
    }
  }
  return changed;
}

/**
 * `times` dilations (grow) or erosions of each [h, w] plane of `data`. Stops early once a pass changes nothing, so
 * a huge `times` costs at most about h + w passes.
 */
export function growPlanes(data: Float32Array, h: number, w: number, times: number, grow: boolean, cross: boolean): Float32Array {
  const out = new Float32Array(data.length);
  const n = h * w;
  let a = new Float32Array(n);
  let b = new Float32Array(n);
  for (let p = 0; p * n < data.length; p++) {
    a.set(data.subarray(p * n, (p + 1) * n));
    for (let i = 0; i < times; i++) {
      const changed = pass(a, b, h, w, grow, cross);
      [a, b] = [b, a];
      if (!changed) break;
    }
    out.set(a, p * n);
  }
  return out;
}
