'use client';
import { useReactFlow } from '@xyflow/react';
import { defaultParams, type NodeSchema } from '@/nodes/schemas';
import { useGraphStore } from '@/app/stores/graphStore';
import { Examples } from './Examples';
import { NodePalette } from './NodePalette';

export function Sidebar() {
  const { screenToFlowPosition } = useReactFlow();
  const add = (schema: NodeSchema) => {
    const canvas = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
    const center = canvas ? { x: canvas.left + canvas.width / 2, y: canvas.top + canvas.height / 2 } : { x: 400, y: 300 };
    const jitter = (useGraphStore.getState().nodes.length % 5) * 24;
    const at = screenToFlowPosition(center);
    useGraphStore.getState().addNode(schema.id, defaultParams(schema), { x: at.x - 140 + jitter, y: at.y - 80 + jitter });
  };
  return (
    <aside
      data-testid="left-panel"
      className="flex w-56 flex-none flex-col gap-3 overflow-hidden border-r border-neutral-800 bg-neutral-900 p-2 pl-5"
    >
      <NodePalette testId="sidebar-palette" filter={null} onPick={add} className="min-h-0 flex-1" draggable />
      <Examples />
    </aside>
  );
}
