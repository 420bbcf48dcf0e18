'use client';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type MouseEvent as ReactMouseEvent } from 'react';
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type FinalConnectionState,
  type IsValidConnection,
} from '@xyflow/react';
import { canConnect, type GraphLike, type GraphNodeLike } from '@/nodes/connect';
import { defaultParams, type NodeSchema, type SocketType } from '@/nodes/schemas';
import { openFile } from '@/app/lib/editorActions';
import { insertPoint } from '@/app/lib/reroutes';
import { SOCKET_COLORS } from '@/app/lib/socketColors';
import type { LoomEdge as LoomEdgeType, LoomNode as LoomNodeType } from '@/app/lib/workflow';
import { useGraphStore } from '@/app/stores/graphStore';
import { useTemplateStore } from '@/app/stores/templateStore';
import { useToastStore } from '@/app/stores/toastStore';
import { setLastPointer, useViewStore } from '@/app/stores/viewStore';
import { edgeMenu, groupMenu, nodeMenu, paneMenu, selectionMenu } from './canvasMenus';
import { ContextMenu, type MenuItem } from './ContextMenu';
import { GroupsLayer } from './GroupsLayer';
import { LoomEdge } from './LoomEdge';
import { LoomNode } from './LoomNode';
import { NODE_DRAG_TYPE, NodePalette, type SocketFilter } from './NodePalette';

const nodeTypes = { loom: LoomNode };
const edgeTypes = { loom: LoomEdge };

/** The shape canConnect() reads, built from the canvas's nodes and edges. */
function graphLike(nodes: LoomNodeType[], edges: LoomEdgeType[]): GraphLike {
  const out: Record<string, GraphNodeLike & { inputs: Record<string, { node: string; output: string }> }> = {};
  for (const n of nodes) out[n.id] = { type: n.data.type, inputs: {}, ...(n.data.placeholder ? { placeholder: n.data.placeholder } : {}) };
  for (const e of edges) {
    const t = out[e.target];
    if (t && e.targetHandle && e.sourceHandle) t.inputs[e.targetHandle] = { node: e.source, output: e.sourceHandle };
  }
  return { nodes: out };
}

function check(c: Connection | Edge) {
  const { nodes, edges } = useGraphStore.getState();
  if (!c.sourceHandle || !c.targetHandle) return { ok: false as const, reason: 'Connect an output to an input.' };
  return canConnect(
    graphLike(nodes, edges),
    { node: c.source, output: c.sourceHandle },
    { node: c.target, input: c.targetHandle },
    useTemplateStore.getState().byId,
  );
}

interface PaletteAt {
  screen: { x: number; y: number };
  flow: { x: number; y: number };
  filter: SocketFilter | null;
  /** the handle a link was dragged from, to connect the new node to */
  from?: { node: string; handle: string; kind: 'source' | 'target' };
}

interface MenuAt {
  x: number;
  y: number;
  items: MenuItem[];
  testId: string;
}

export function Canvas() {
  const nodes = useGraphStore((s) => s.nodes);
  const storedEdges = useGraphStore((s) => s.edges);
  const onNodesChange = useGraphStore((s) => s.onNodesChange);
  const onEdgesChange = useGraphStore((s) => s.onEdgesChange);
  const connect = useGraphStore((s) => s.connect);
  const commit = useGraphStore((s) => s.commit);
  const byId = useTemplateStore((s) => s.byId);
  const toast = useToastStore((s) => s.push);
  const { screenToFlowPosition, fitView, setCenter, getNode, setViewport } = useReactFlow();
  const fitRequest = useViewStore((s) => s.fitRequest);
  const focusRequest = useViewStore((s) => s.focusRequest);
  useEffect(() => {
    // wait a frame so the new nodes are measured before fitting
    if (fitRequest > 0) requestAnimationFrame(() => void fitView({ padding: 0.1, maxZoom: 1 }));
  }, [fitRequest, fitView]);
  useEffect(() => {
    // a widget clicked while zoomed out: bring its node close, then put the cursor in the widget
    if (!focusRequest) return;
    const n = getNode(focusRequest.nodeId);
    if (!n) return;
    const w = n.measured?.width ?? 288;
    const h = n.measured?.height ?? 200;
    void setCenter(n.position.x + w / 2, n.position.y + h / 2, { zoom: 1, duration: 0 }).then(() => {
      if (!focusRequest.widget) return;
      // the widget exists once the node re-renders at the new zoom: look for it for a few frames
      const selector = `[data-testid="param-${focusRequest.nodeId}-${focusRequest.widget}"]`;
      let tries = 20;
      const tryFocus = () => {
        const field = document.querySelector<HTMLElement>(selector);
        if (field) field.focus();
        else if (tries-- > 0) requestAnimationFrame(tryFocus);
      };
      requestAnimationFrame(tryFocus);
    });
  }, [focusRequest, getNode, setCenter]);
  const wrapper = useRef<HTMLDivElement>(null);
  useEffect(() => {
    useViewStore.getState().setPrefit((list) => {
      const rect = wrapper.current?.getBoundingClientRect();
      if (!rect || list.length === 0) return;
      // unmeasured nodes: their width if set, else the default, and a typical height
      const xs = list.map((n) => n.position.x);
      const ys = list.map((n) => n.position.y);
      const x0 = Math.min(...xs);
      const y0 = Math.min(...ys);
      const x1 = Math.max(...list.map((n) => n.position.x + (n.width ?? 288)));
      const y1 = Math.max(...ys) + 260;
      const zoom = Math.max(0.1, Math.min(1, Math.min(rect.width / ((x1 - x0) * 1.2), rect.height / ((y1 - y0) * 1.2))));
      void setViewport({ x: rect.width / 2 - ((x0 + x1) / 2) * zoom, y: rect.height / 2 - ((y0 + y1) / 2) * zoom, zoom });
    });
    return () => useViewStore.getState().setPrefit(null);
  }, [setViewport]);
  const [palette, setPalette] = useState<PaletteAt | null>(null);
  const [menu, setMenu] = useState<MenuAt | null>(null);
  const closeMenu = useCallback(() => setMenu(null), []);
  // The mouseup that ends a link drag is followed by a click on the pane, which must not close the palette it opened.
  const openedAt = useRef(0);
  // Edges take their source socket's colour; derived here so stored edges stay plain data.
  const edges = useMemo(() => {
    const typeOf = new Map(nodes.map((n) => [n.id, n.data.type]));
    return storedEdges.map((e) => {
      const type = byId[typeOf.get(e.source) ?? '']?.outputs.find((o) => o.name === e.sourceHandle)?.type;
      return { ...e, type: 'loom', ...(type ? { style: { stroke: SOCKET_COLORS[type], strokeWidth: 2 } } : {}) };
    });
  }, [nodes, storedEdges, byId]);
  const [refusal, setRefusal] = useState<{ x: number; y: number; text: string } | null>(null);

  const isValidConnection: IsValidConnection<LoomEdgeType> = useCallback((c) => check(c).ok, []);

  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      const point = 'changedTouches' in event ? event.changedTouches[0] : event;
      if (!point) return;
      if (state.toHandle && state.fromHandle && state.isValid === false) {
        const source = state.fromHandle.type === 'source' ? state.fromHandle : state.toHandle;
        const target = state.fromHandle.type === 'source' ? state.toHandle : state.fromHandle;
        const result = check({ source: source.nodeId, sourceHandle: source.id ?? null, target: target.nodeId, targetHandle: target.id ?? null });
        if (!result.ok) {
          setRefusal({ x: point.clientX, y: point.clientY, text: result.reason });
          toast(result.reason, 'error');
          setTimeout(() => setRefusal(null), 4000);
        }
        return;
      }
      if (!state.toHandle && state.fromHandle && state.fromNode) {
        const fromSchema = byId[(state.fromNode.data as LoomNodeType['data']).type];
        const kind = state.fromHandle.type;
        const socket = (kind === 'source' ? fromSchema?.outputs : fromSchema?.inputs)?.find((s) => s.name === state.fromHandle?.id);
        if (!socket) return;
        openedAt.current = performance.now();
        setPalette({
          screen: { x: point.clientX, y: point.clientY },
          flow: screenToFlowPosition({ x: point.clientX, y: point.clientY }),
          filter: { type: socket.type, side: kind === 'source' ? 'input' : 'output' },
          from: { node: state.fromNode.id, handle: socket.name, kind },
        });
      }
    },
    [byId, screenToFlowPosition, toast],
  );

  const addFromPalette = useCallback(
    (schema: NodeSchema) => {
      if (!palette) return;
      const graph = useGraphStore.getState();
      const id = graph.addNode(schema.id, defaultParams(schema), palette.flow);
      const from = palette.from;
      const type: SocketType | undefined = palette.filter?.type;
      if (from && type) {
        if (from.kind === 'source') {
          const input = schema.inputs.find((i) => i.type === type);
          if (input) graph.connect({ source: from.node, sourceHandle: from.handle, target: id, targetHandle: input.name });
        } else {
          const output = schema.outputs.find((o) => o.type === type);
          if (output) graph.connect({ source: id, sourceHandle: output.name, target: from.node, targetHandle: from.handle });
        }
      }
      setPalette(null);
    },
    [palette],
  );

  const openPaletteAt = useCallback(
    (x: number, y: number) => {
      openedAt.current = performance.now();
      setPalette({ screen: { x, y }, flow: screenToFlowPosition({ x, y }), filter: null });
    },
    [screenToFlowPosition],
  );

  const onDoubleClick = useCallback(
    (e: ReactMouseEvent) => {
      if (!(e.target instanceof Element) || !e.target.classList.contains('react-flow__pane')) return;
      openPaletteAt(e.clientX, e.clientY);
    },
    [openPaletteAt],
  );

  const onDrop = useCallback(
    async (e: DragEvent) => {
      const type = e.dataTransfer.getData(NODE_DRAG_TYPE);
      if (type) {
        e.preventDefault();
        const schema = useTemplateStore.getState().byId[type];
        if (schema) useGraphStore.getState().addNode(schema.id, defaultParams(schema), screenToFlowPosition({ x: e.clientX, y: e.clientY }));
        return;
      }
      const file = e.dataTransfer.files[0];
      if (!file) return;
      e.preventDefault();
      await openFile(file);
    },
    [screenToFlowPosition],
  );

  const showMenu = useCallback((e: { clientX: number; clientY: number; preventDefault: () => void }, items: MenuItem[], testId: string) => {
    e.preventDefault();
    setPalette(null);
    if (items.length) setMenu({ x: e.clientX, y: e.clientY, items, testId });
  }, []);

  const bounds = wrapper.current?.getBoundingClientRect();
  return (
    <div
      ref={wrapper}
      data-testid="canvas"
      className="relative h-full w-full"
      onDoubleClick={onDoubleClick}
      onMouseMove={(e) => setLastPointer(screenToFlowPosition({ x: e.clientX, y: e.clientY }))}
      onMouseLeave={() => setLastPointer(null)}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files') || e.dataTransfer.types.includes(NODE_DRAG_TYPE)) {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
        }
      }}
      onDrop={onDrop}
    >
      <ReactFlow<LoomNodeType, LoomEdgeType>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={connect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onNodeDragStart={() => commit()}
        onSelectionDragStart={() => commit()}
        onPaneClick={() => performance.now() - openedAt.current > 300 && setPalette(null)}
        onNodeContextMenu={(e, node) => {
          const selected = useGraphStore
            .getState()
            .nodes.filter((n) => n.selected)
            .map((n) => n.id);
          if (node.selected && selected.length > 1) showMenu(e, selectionMenu(selected), 'selection-menu');
          else {
            useGraphStore.getState().select([node.id]);
            showMenu(e, nodeMenu(node.id), 'node-menu');
          }
        }}
        onSelectionContextMenu={(e, sel) => showMenu(e, selectionMenu(sel.map((n) => n.id)), 'selection-menu')}
        onEdgeContextMenu={(e, edge) => showMenu(e, edgeMenu(edge.id, screenToFlowPosition({ x: e.clientX, y: e.clientY })), 'edge-menu')}
        onEdgeDoubleClick={(e, edge) => {
          const g = useGraphStore.getState();
          const src = g.nodes.find((n) => n.id === edge.source);
          const dst = g.nodes.find((n) => n.id === edge.target);
          if (!src || !dst) return;
          const at = screenToFlowPosition({ x: e.clientX, y: e.clientY });
          const stored = g.edges.find((x) => x.id === edge.id);
          g.setEdgePoints(
            edge.id,
            insertPoint({ x: src.position.x + (src.measured?.width ?? 288), y: src.position.y }, dst.position, stored?.data?.points ?? [], at),
          );
        }}
        onPaneContextMenu={(e) =>
          showMenu(
            e,
            paneMenu(
              () => openPaletteAt(e.clientX, e.clientY),
              () => {
                const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
                useGraphStore.getState().addGroup({ title: 'Group', bounding: [Math.round(p.x), Math.round(p.y), 400, 300] });
              },
              () => void fitView({ padding: 0.1, maxZoom: 1 }),
            ),
            'pane-menu',
          )
        }
        deleteKeyCode={null}
        zoomOnDoubleClick={false}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Meta', 'Control']}
        colorMode="dark"
        minZoom={0.1}
        maxZoom={2}
        fitView
        onlyRenderVisibleElements
        proOptions={{ hideAttribution: true }}
      >
        <Background variant={BackgroundVariant.Dots} gap={24} size={1} color="#333" />
        <GroupsLayer
          onMenu={(e, index) => {
            const group = useGraphStore.getState().groups?.[index];
            if (group) showMenu(e, groupMenu(index, group), 'group-menu');
          }}
        />
        <MiniMap pannable zoomable nodeColor="#404040" maskColor="rgba(0,0,0,0.6)" className="!bg-neutral-900" />
        <Controls />
      </ReactFlow>
      {palette && bounds && (
        <div
          className="absolute z-30 h-80 w-72 rounded-md bg-neutral-900 p-2 shadow-2xl ring-1 ring-neutral-600"
          style={{
            left: Math.max(0, Math.min(palette.screen.x - bounds.left, bounds.width - 300)),
            top: Math.max(0, Math.min(palette.screen.y - bounds.top, bounds.height - 330)),
          }}
          onKeyDown={(e) => e.key === 'Escape' && setPalette(null)}
        >
          <NodePalette testId="palette" filter={palette.filter} onPick={addFromPalette} autoFocus className="h-full" />
        </div>
      )}
      {menu && <ContextMenu x={menu.x} y={menu.y} items={menu.items} onClose={closeMenu} testId={menu.testId} />}
      {refusal && bounds && (
        <div
          data-testid="connection-refused"
          role="alert"
          className="pointer-events-none absolute z-40 max-w-xs rounded bg-red-700 px-2 py-1 text-xs text-white shadow-lg"
          style={{ left: refusal.x - bounds.left + 12, top: refusal.y - bounds.top + 12 }}
        >
          {refusal.text}
        </div>
      )}
    </div>
  );
}
