'use client';
import { useRef, useState, type MouseEvent as ReactMouseEvent, type PointerEvent as ReactPointerEvent } from 'react';
import { useReactFlow, ViewportPortal } from '@xyflow/react';
import type { WorkflowGroup } from '@/nodes/workflow/schema';
import { nodesInGroup } from '@/app/lib/groups';
import type { XY } from '@/app/lib/workflow';
import { useGraphStore } from '@/app/stores/graphStore';

interface Drag {
  kind: 'move' | 'resize';
  start: XY;
  bounding: WorkflowGroup['bounding'];
  members: string[];
  positions: Record<string, XY>;
}

const MIN = { w: 120, h: 80 };

function GroupBox({ group, index, onMenu }: { group: WorkflowGroup; index: number; onMenu: (e: ReactMouseEvent, index: number) => void }) {
  const { screenToFlowPosition } = useReactFlow();
  const drag = useRef<Drag | null>(null);
  const [editing, setEditing] = useState(false);
  const color = group.color ?? '#3f789e';
  const fontSize = group.font_size ?? 24;

  const begin = (kind: Drag['kind']) => (e: ReactPointerEvent) => {
    if (e.button !== 0) return;
    e.stopPropagation();
    e.currentTarget.setPointerCapture(e.pointerId);
    const g = useGraphStore.getState();
    g.commit();
    const members = kind === 'move' ? nodesInGroup(group, g.nodes) : [];
    const positions = Object.fromEntries(g.nodes.filter((n) => members.includes(n.id)).map((n) => [n.id, { ...n.position }]));
    drag.current = { kind, start: screenToFlowPosition({ x: e.clientX, y: e.clientY }), bounding: group.bounding, members, positions };
  };
  const move = (e: ReactPointerEvent) => {
    const d = drag.current;
    if (!d) return;
    const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
    const dx = Math.round(p.x - d.start.x);
    const dy = Math.round(p.y - d.start.y);
    const g = useGraphStore.getState();
    if (d.kind === 'move') g.moveGroup(index, d.members, d, dx, dy);
    else {
      const [x, y, w, h] = d.bounding;
      g.updateGroup(index, { bounding: [x, y, Math.max(MIN.w, w + dx), Math.max(MIN.h, h + dy)] }, false);
    }
  };
  const end = () => (drag.current = null);

  return (
    <div
      data-testid={`group-${index}`}
      data-color={group.color ?? ''}
      className="pointer-events-none absolute rounded border border-neutral-500/60"
      style={{
        transform: `translate(${group.bounding[0]}px, ${group.bounding[1]}px)`,
        width: group.bounding[2],
        height: group.bounding[3],
        background: `${color}33`,
        zIndex: -1,
      }}
    >
      <div
        data-testid={`group-title-${index}`}
        className="nodrag nopan pointer-events-auto cursor-move truncate px-2 py-1 font-semibold text-neutral-200"
        style={{ fontSize, background: `${color}66` }}
        title="drag to move the group with its nodes; double-click to rename; right-click for more"
        onPointerDown={editing ? undefined : begin('move')}
        onPointerMove={move}
        onPointerUp={end}
        onDoubleClick={(e) => {
          e.stopPropagation();
          setEditing(true);
        }}
        onContextMenu={(e) => onMenu(e, index)}
      >
        {editing ? (
          <input
            data-testid={`group-title-input-${index}`}
            autoFocus
            defaultValue={group.title}
            className="w-full rounded bg-neutral-900/80 px-1 outline-none ring-1 ring-sky-500"
            style={{ fontSize: Math.min(fontSize, 20) }}
            onPointerDown={(e) => e.stopPropagation()}
            onKeyDown={(e) => {
              if (e.key === 'Enter') e.currentTarget.blur();
              if (e.key === 'Escape') {
                e.stopPropagation();
                setEditing(false);
              }
            }}
            onBlur={(e) => {
              if (editing) useGraphStore.getState().updateGroup(index, { title: e.currentTarget.value.trim() || 'Group' });
              setEditing(false);
            }}
          />
        ) : (
          group.title
        )}
      </div>
      <div
        data-testid={`group-resize-${index}`}
        className="nodrag nopan pointer-events-auto absolute bottom-0 right-0 h-4 w-4 cursor-se-resize"
        style={{ background: `linear-gradient(135deg, transparent 50%, ${color} 50%)` }}
        onPointerDown={begin('resize')}
        onPointerMove={move}
        onPointerUp={end}
      />
    </div>
  );
}

/** Workflow groups (ComfyUI's titled rectangles) under the nodes: drag the title to move a group with its nodes. */
export function GroupsLayer({ onMenu }: { onMenu: (e: ReactMouseEvent, index: number) => void }) {
  const groups = useGraphStore((s) => s.groups);
  if (!groups?.length) return null;
  return (
    <ViewportPortal>
      {groups.map((g, i) => (
        <GroupBox key={i} group={g} index={i} onMenu={onMenu} />
      ))}
    </ViewportPortal>
  );
}
