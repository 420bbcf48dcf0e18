'use client';
import { memo, useCallback, useRef, useState, type CSSProperties } from 'react';
import { useStore, useStoreApi, type NodeProps, type ReactFlowState } from '@xyflow/react';
import type { ParamValue } from '@/nodes/schemas';
import { nodeLook, type LoomNode as LoomNodeType } from '@/app/lib/workflow';
import { useGraphStore } from '@/app/stores/graphStore';
import { useRunStore } from '@/app/stores/runStore';
import { useTemplateStore } from '@/app/stores/templateStore';
import { useViewStore } from '@/app/stores/viewStore';
import {
  CollapsedHandles,
  NodeError,
  NodeImages,
  ParamSummary,
  PlaceholderNode,
  SocketRow,
  STATE_STYLE,
  WidgetInputRow,
  WidgetSocket,
} from './NodeParts';
import { NoteBody } from './NoteNode';
import { ParamWidget } from './widgets/ParamWidget';

/** Below this zoom widgets are unreadable anyway; plain text keeps big graphs smooth to pan. */
export const LOW_DETAIL_ZOOM = 0.45;
const lowDetailSelector = (s: ReactFlowState) => s.transform[2] < LOW_DETAIL_ZOOM;

const DEFAULT_WIDTH = 288;
const MIN_WIDTH = 200;

/** ComfyUI's look for the two modes: muted nodes fade, bypassed nodes turn magenta. */
const MODE_BG = { always: 'bg-neutral-900/95', muted: 'bg-neutral-900/95 opacity-40', bypassed: 'bg-fuchsia-950/90' } as const;

/** The title; double-click edits it in place (Enter keeps, Esc cancels, empty brings the schema's title back). */
function Title({ id, title, custom }: { id: string; title: string; custom: boolean }) {
  const [editing, setEditing] = useState(false);
  if (editing) {
    return (
      <input
        data-testid={`title-input-${id}`}
        autoFocus
        defaultValue={title}
        className="nodrag min-w-0 flex-1 rounded bg-neutral-900 px-1 text-sm font-semibold outline-none ring-1 ring-sky-500"
        onFocus={(e) => e.currentTarget.select()}
        onKeyDown={(e) => {
          if (e.key === 'Enter') e.currentTarget.blur();
          else if (e.key === 'Escape') {
            e.stopPropagation();
            setEditing(false);
          }
        }}
        onBlur={(e) => {
          if (editing && e.currentTarget.value.trim() !== title) useGraphStore.getState().setTitle(id, e.currentTarget.value);
          setEditing(false);
        }}
      />
    );
  }
  return (
    <span
      data-testid={`node-title-${id}`}
      data-custom={custom ? 'true' : undefined}
      className="min-w-0 flex-1 break-words text-sm font-semibold leading-tight"
      onDoubleClick={(e) => {
        e.stopPropagation();
        setEditing(true);
      }}
    >
      {title}
    </span>
  );
}

/** Bottom-right corner: drag to resize (width, and a minimum height the widgets grow into). */
function ResizeCorner({ id, width }: { id: string; width: number }) {
  // the zoom is read when a drag starts: subscribing to it would re-render every node's corner on each zoom step
  const store = useStoreApi();
  const start = useRef<{ x: number; y: number; w: number; h: number; zoom: number } | null>(null);
  return (
    <div
      data-testid={`resize-${id}`}
      className="nodrag nopan absolute bottom-0 right-0 z-10 h-3.5 w-3.5 cursor-se-resize"
      style={{ background: 'linear-gradient(135deg, transparent 55%, #737373 55%)' }}
      title="drag to resize"
      onPointerDown={(e) => {
        e.stopPropagation();
        e.currentTarget.setPointerCapture(e.pointerId);
        const box = e.currentTarget.parentElement?.getBoundingClientRect();
        const zoom = store.getState().transform[2];
        start.current = { x: e.clientX, y: e.clientY, w: width, h: (box?.height ?? 0) / zoom, zoom };
        useGraphStore.getState().commit();
      }}
      onPointerMove={(e) => {
        const s = start.current;
        if (!s) return;
        const w = Math.max(MIN_WIDTH, Math.round(s.w + (e.clientX - s.x) / s.zoom));
        const h = Math.max(60, Math.round(s.h + (e.clientY - s.y) / s.zoom));
        useGraphStore.getState().setLook([id], { width: w, height: h }, false);
      }}
      onPointerUp={() => (start.current = null)}
    />
  );
}

function LoomNodeView({ id, data, selected }: NodeProps<LoomNodeType>) {
  const schema = useTemplateStore((s) => s.byId[data.type]);
  const run = useRunStore((s) => s.nodes[id]);
  const warnings = useRunStore((s) => s.warnings[id]);
  const setParam = useGraphStore((s) => s.setParam);
  // which widgets a link drives, as one string so unrelated edge changes do not re-render the node
  const linkedKey = useGraphStore((s) =>
    s.edges
      .filter((e) => e.target === id)
      .map((e) => e.targetHandle)
      .sort()
      .join('|'),
  );
  const lowDetail = useStore(lowDetailSelector);
  const onParam = useCallback((name: string, v: ParamValue) => setParam(id, name, v), [id, setParam]);
  const look = nodeLook(data);

  if (!schema) {
    if (data.placeholder) return <PlaceholderNode id={id} type={data.type} placeholder={data.placeholder} />;
    return (
      <div data-testid={`node-${id}`} className="w-64 rounded-md bg-red-950 p-2 text-xs ring-2 ring-red-600">
        Unknown node type <b>{data.type}</b> ({id})
      </div>
    );
  }
  const linked = new Set(linkedKey.split('|'));
  const converted = new Set(look.widget_inputs ?? []);
  const width = look.width ?? DEFAULT_WIDTH;
  const frame: CSSProperties = {
    width,
    ...(look.height ? { minHeight: look.height } : {}),
    ...(look.bgcolor ? { backgroundColor: look.bgcolor } : {}),
  };
  const titleBar: CSSProperties = look.color ? { backgroundColor: look.color } : {};
  const title = data.title ?? schema.title;

  if (schema.frontendOnly && schema.outputs.length === 0) {
    // Note / MarkdownNote
    return (
      <div
        data-testid={`node-${id}`}
        data-node-type={data.type}
        className={`relative flex flex-col rounded-md bg-yellow-950/80 p-2 text-xs text-yellow-100 ring-1 ${selected ? 'ring-2 ring-sky-400' : 'ring-yellow-700'}`}
        style={frame}
      >
        <div className="mb-1 flex font-semibold">
          <Title id={id} title={title} custom={data.title !== undefined} />
        </div>
        <NoteBody
          id={id}
          title={title}
          text={String(data.params.text ?? '')}
          markdown={data.type === 'MarkdownNote'}
          onText={(t) => onParam('text', t)}
        />
        <ResizeCorner id={id} width={width} />
      </div>
    );
  }

  const rows = Math.max(schema.inputs.length, schema.outputs.length);
  const reserve = schema.output && schema.inputs.some((i) => i.type === 'IMAGE') ? 'output' : schema.category === 'sampling' ? 'preview' : null;
  const progress = run?.state === 'running' && run.total ? (run.step ?? 0) / run.total : run?.state === 'done' || run?.state === 'cached' ? 1 : 0;
  const widgetRows = schema.params.filter((p) => !converted.has(p.name));
  const widgetInputs = schema.params.filter((p) => converted.has(p.name));
  const zoomTo = (widget: string) => useViewStore.getState().requestFocus(id, widget);
  return (
    <div
      data-testid={`node-${id}`}
      data-node-type={data.type}
      data-state={run?.state ?? 'idle'}
      data-mode={data.mode ?? 'always'}
      data-collapsed={look.collapsed ? 'true' : undefined}
      data-pinned={look.pinned ? 'true' : undefined}
      className={`relative flex flex-col rounded-md text-neutral-100 shadow-lg ring-1 ${MODE_BG[data.mode ?? 'always']} ${
        run?.state === 'error'
          ? 'ring-2 ring-red-500'
          : selected
            ? 'ring-2 ring-sky-400'
            : run?.state === 'running'
              ? 'ring-2 ring-sky-600'
              : data.mode === 'bypassed'
                ? 'ring-fuchsia-600'
                : 'ring-neutral-700'
      }`}
      style={look.collapsed ? { width: Math.min(width, 240), ...(look.bgcolor ? { backgroundColor: look.bgcolor } : {}) } : frame}
    >
      <div className={`flex items-start gap-1.5 bg-neutral-800 px-2 py-1 ${look.collapsed ? 'rounded-md' : 'rounded-t-md'}`} style={titleBar}>
        <button
          type="button"
          data-testid={`collapse-${id}`}
          aria-label={look.collapsed ? 'expand' : 'collapse'}
          title={look.collapsed ? 'expand' : 'collapse'}
          className="nodrag mt-0.5 w-3 shrink-0 text-[10px] text-neutral-400 hover:text-neutral-100"
          onClick={() => useGraphStore.getState().setLook([id], { collapsed: look.collapsed ? undefined : true })}
        >
          {look.collapsed ? '▸' : '▾'}
        </button>
        <Title id={id} title={title} custom={data.title !== undefined} />
        {look.pinned && (
          <span data-testid={`node-pin-${id}`} className="shrink-0 text-[10px]" title="pinned: cannot be moved">
            📌
          </span>
        )}
        {data.mode && data.mode !== 'always' && (
          <span data-testid={`node-mode-${id}`} className="shrink-0 rounded bg-neutral-700 px-1 text-[10px] uppercase">
            {data.mode}
          </span>
        )}
        {run ? (
          <span data-testid={`node-state-${id}`} className={`shrink-0 rounded px-1.5 text-[10px] uppercase ${STATE_STYLE[run.state]}`}>
            {run.state === 'running' && run.total ? (run.stage ? `${run.stage} (${run.step}/${run.total})` : `${run.step}/${run.total}`) : run.state}
          </span>
        ) : (
          <span className="shrink-0 pt-0.5 text-[10px] text-neutral-500" title={`node id ${id} (${schema.id})`}>
            #{id}
          </span>
        )}
      </div>
      {look.collapsed ? (
        <CollapsedHandles
          inputs={[
            ...schema.inputs.map((i) => ({ id: i.name, type: i.type })),
            ...schema.params.filter((p) => linked.has(p.name)).map((p) => ({ id: p.name, type: '*' as const })),
          ]}
          outputs={[...schema.outputs]}
        />
      ) : (
        <>
          <div className="h-1 bg-neutral-800">
            {run && (
              <div
                data-testid={`node-progress-${id}`}
                className="h-1 bg-sky-500 transition-[width]"
                style={{ width: `${Math.round(progress * 100)}%` }}
              />
            )}
          </div>
          <div className="py-1">
            {Array.from({ length: rows }, (_, i) => (
              <SocketRow key={i} nodeId={id} input={schema.inputs[i]} output={schema.outputs[i]} run={run} />
            ))}
            {widgetInputs.map((p) => (
              <WidgetInputRow key={p.name} nodeId={id} spec={p} linked={linked.has(p.name)} />
            ))}
          </div>
          {widgetRows.length > 0 && (
            <div className="flex flex-1 flex-col gap-1 px-2 pb-2 text-xs">
              {widgetRows.map((p) => (
                <div key={p.name} className={`relative ${p.kind === 'text' && p.multiline ? 'flex flex-1 flex-col' : ''}`}>
                  {(!lowDetail || linked.has(p.name)) && <WidgetSocket nodeId={id} spec={p} linked={linked.has(p.name)} />}
                  {linked.has(p.name) ? (
                    <div
                      data-testid={`param-linked-${id}-${p.name}`}
                      className="h-5 truncate rounded bg-neutral-800/60 px-1.5 italic text-neutral-400"
                    >
                      {p.label ?? p.name} ← linked
                    </div>
                  ) : lowDetail ? (
                    <ParamSummary
                      nodeId={id}
                      name={p.label ?? p.name}
                      value={data.params[p.name]}
                      tall={p.kind === 'text' && p.multiline === true}
                      onZoom={() => zoomTo(p.name)}
                    />
                  ) : (
                    <ParamWidget
                      nodeId={id}
                      spec={p}
                      value={data.params[p.name]}
                      invalid={run?.state === 'error' && run.input === p.name}
                      onChange={(v) => onParam(p.name, v)}
                    />
                  )}
                </div>
              ))}
            </div>
          )}
          <NodeImages nodeId={id} reserve={reserve} />
          {warnings && warnings.length > 0 && (
            <div data-testid={`node-warning-${id}`} className="bg-amber-950 px-2 py-1 text-xs text-amber-200">
              {warnings.map((w, i) => (
                <p key={i}>{w}</p>
              ))}
            </div>
          )}
          {run?.state === 'error' && run.message && <NodeError nodeId={id} message={run.message} />}
          {!look.pinned && !lowDetail && <ResizeCorner id={id} width={width} />}
        </>
      )}
    </div>
  );
}

export const LoomNode = memo(LoomNodeView);
