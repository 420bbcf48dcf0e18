'use client';
import { ViewportPortal } from '@xyflow/react';
import { useGraphStore } from '@/app/stores/graphStore';

/** Workflow groups (ComfyUI's titled rectangles) drawn under the nodes, in canvas coordinates. */
export function GroupsLayer() {
  const groups = useGraphStore((s) => s.groups);
  if (!groups?.length) return null;
  return (
    <ViewportPortal>
      {groups.map((g, i) => (
        <div
          key={i}
          data-testid={`group-${i}`}
          className="pointer-events-none absolute rounded border border-neutral-500/60"
          style={{
            transform: `translate(${g.bounding[0]}px, ${g.bounding[1]}px)`,
            width: g.bounding[2],
            height: g.bounding[3],
            background: `${g.color ?? '#3f789e'}33`,
            zIndex: -1,
          }}
        >
          <div className="truncate px-2 py-1 font-semibold text-neutral-200" style={{ fontSize: g.font_size ?? 24, background: `${g.color ?? '#3f789e'}66` }}>
            {g.title}
          </div>
        </div>
      ))}
    </ViewportPortal>
  );
}
