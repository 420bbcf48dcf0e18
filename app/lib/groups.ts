import type { WorkflowGroup } from '@/nodes/workflow/schema';
import type { LoomNode } from './workflow';

/** Room for the group's title bar above its nodes, and a margin around them (canvas units). */
const TITLE = 44;
const PAD = 16;
const FALLBACK = { width: 288, height: 160 };

function boxOf(n: LoomNode) {
  const w = n.measured?.width ?? n.width ?? FALLBACK.width;
  const h = n.measured?.height ?? n.height ?? FALLBACK.height;
  return { x: n.position.x, y: n.position.y, w, h };
}

/** A group rectangle around the given nodes (ComfyUI's "Add group for selected nodes"). */
export function groupAround(nodes: readonly LoomNode[], title = 'Group', color?: string): WorkflowGroup | null {
  if (nodes.length === 0) return null;
  const boxes = nodes.map(boxOf);
  const x = Math.min(...boxes.map((b) => b.x)) - PAD;
  const y = Math.min(...boxes.map((b) => b.y)) - PAD - TITLE;
  const r = Math.max(...boxes.map((b) => b.x + b.w)) + PAD;
  const b = Math.max(...boxes.map((bx) => bx.y + bx.h)) + PAD;
  return { title, bounding: [Math.round(x), Math.round(y), Math.round(r - x), Math.round(b - y)], ...(color ? { color } : {}) };
}

/** Nodes whose top-left corner lies inside the group: they move with it (as in ComfyUI). */
export function nodesInGroup(group: WorkflowGroup, nodes: readonly LoomNode[]): string[] {
  const [x, y, w, h] = group.bounding;
  return nodes.filter((n) => n.position.x >= x && n.position.y >= y && n.position.x < x + w && n.position.y < y + h).map((n) => n.id);
}

/** ComfyUI's colour palette (LGraphCanvas.node_colors): title bar, body and group colours. */
export const COLORS = {
  red: { color: '#322', bgcolor: '#533', groupcolor: '#A88' },
  brown: { color: '#332922', bgcolor: '#593930', groupcolor: '#b06634' },
  green: { color: '#232', bgcolor: '#353', groupcolor: '#8A8' },
  blue: { color: '#223', bgcolor: '#335', groupcolor: '#88A' },
  pale_blue: { color: '#2a363b', bgcolor: '#3f5159', groupcolor: '#3f789e' },
  cyan: { color: '#233', bgcolor: '#355', groupcolor: '#8AA' },
  purple: { color: '#323', bgcolor: '#535', groupcolor: '#a1309b' },
  yellow: { color: '#432', bgcolor: '#653', groupcolor: '#b58b2a' },
  black: { color: '#222', bgcolor: '#000', groupcolor: '#444' },
} as const;
export type ColorName = keyof typeof COLORS;
export const COLOR_NAMES = Object.keys(COLORS) as ColorName[];
