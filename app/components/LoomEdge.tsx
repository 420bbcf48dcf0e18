'use client';
import { memo, useRef } from 'react';
import { BaseEdge, EdgeLabelRenderer, useReactFlow, type EdgeProps } from '@xyflow/react';
import { reroutedPath } from '@/app/lib/reroutes';
import type { LoomEdge as LoomEdgeType, XY } from '@/app/lib/workflow';
import { useGraphStore } from '@/app/stores/graphStore';

/** A reroute point: drag to move it, double-click to remove it. */
function RerouteDot({ edgeId, index, point, color }: { edgeId: string; index: number; point: XY; color: string }) {
  const { screenToFlowPosition } = useReactFlow();
  const drag = useRef(false);
  const setPoints = useGraphStore((s) => s.setEdgePoints);
  const pointsNow = () => useGraphStore.getState().edges.find((e) => e.id === edgeId)?.data?.points ?? [];
  return (
    <div
      data-testid={`reroute-${edgeId}-${index}`}
      className="nodrag nopan pointer-events-auto absolute h-3 w-3 cursor-move rounded-full border-2 border-neutral-900"
      style={{ transform: `translate(-50%, -50%) translate(${point.x}px, ${point.y}px)`, background: color }}
      title="reroute point: drag to move, double-click to remove"
      onPointerDown={(e) => {
        e.stopPropagation();
        e.currentTarget.setPointerCapture(e.pointerId);
        drag.current = true;
        useGraphStore.getState().commit();
      }}
      onPointerMove={(e) => {
        if (!drag.current) return;
        const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
        setPoints(
          edgeId,
          pointsNow().map((q, i) => (i === index ? { x: Math.round(p.x), y: Math.round(p.y) } : q)),
          false,
        );
      }}
      onPointerUp={() => (drag.current = false)}
      onDoubleClick={(e) => {
        e.stopPropagation();
        setPoints(
          edgeId,
          pointsNow().filter((_, i) => i !== index),
        );
      }}
    />
  );
}

function LoomEdgeView({ id, sourceX, sourceY, targetX, targetY, style, data, selected, markerEnd, interactionWidth }: EdgeProps<LoomEdgeType>) {
  const points = data?.points ?? [];
  const path = reroutedPath({ x: sourceX, y: sourceY }, { x: targetX, y: targetY }, points);
  const color = typeof style?.stroke === 'string' ? style.stroke : '#999';
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        markerEnd={markerEnd}
        interactionWidth={interactionWidth ?? 16}
        style={{ ...style, strokeWidth: selected ? 3.5 : (style?.strokeWidth ?? 2) }}
      />
      {points.length > 0 && (
        <EdgeLabelRenderer>
          {points.map((p, i) => (
            <RerouteDot key={i} edgeId={id} index={i} point={p} color={color} />
          ))}
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const LoomEdge = memo(LoomEdgeView);
