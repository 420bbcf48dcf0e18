import type { XY } from './workflow';

function distToSegment(p: XY, a: XY, b: XY): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = dx * dx + dy * dy;
  const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/** The wire's reroute points with `at` added between the two anchors it lies closest to. */
export function insertPoint(source: XY, target: XY, points: readonly XY[], at: XY): XY[] {
  const anchors = [source, ...points, target];
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < anchors.length - 1; i++) {
    const d = distToSegment(at, anchors[i] as XY, anchors[i + 1] as XY);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  const out = [...points];
  out.splice(best, 0, { x: Math.round(at.x), y: Math.round(at.y) });
  return out;
}

/** An SVG path from source to target through the points: one smooth curve per leg, leaving and entering horizontally. */
export function reroutedPath(source: XY, target: XY, points: readonly XY[]): string {
  const anchors = [source, ...points, target];
  let d = `M ${source.x},${source.y}`;
  for (let i = 0; i < anchors.length - 1; i++) {
    const a = anchors[i] as XY;
    const b = anchors[i + 1] as XY;
    const k = Math.max(Math.abs(b.x - a.x) / 2, 25);
    d += ` C ${a.x + k},${a.y} ${b.x - k},${b.y} ${b.x},${b.y}`;
  }
  return d;
}
