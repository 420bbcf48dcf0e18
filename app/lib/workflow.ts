import { z } from 'zod';
import type { Edge, Node } from '@xyflow/react';
import type { ParamValue, SchemaMap, SeedControl } from '@/nodes/schemas';
import { defaultParams, getSchema, SEED_CONTROLS } from '@/nodes/schemas';
import { loadAnyWorkflow } from '@/nodes/workflow/load';
import {
  WORKFLOW_FORMAT,
  WORKFLOW_VERSION,
  type NodeMode,
  type Placeholder,
  type Workflow,
  type WorkflowGroup,
  type WorkflowNode,
} from '@/nodes/workflow/schema';

const seedControlSchema = z.record(z.string(), z.enum(SEED_CONTROLS));

export type { Workflow, WorkflowNode, WorkflowGroup };

export type LoomNodeData = {
  type: string;
  params: Record<string, ParamValue>;
  seedControl?: Record<string, SeedControl>;
  mode?: NodeMode;
  title?: string;
  /** a node of a class this build does not know, kept as the file had it */
  placeholder?: Placeholder;
  /** editor state the file carries that the canvas does not edit yet (size, colours, collapsed, pinned) */
  extra?: Record<string, unknown>;
  models?: WorkflowNode['models'];
  version?: number;
};
export type LoomNode = Node<LoomNodeData, 'loom'>;
export interface XY {
  x: number;
  y: number;
}
/** Reroute points the wire passes through, in canvas coordinates (saved in the target node's ui.reroutes). */
export type LoomEdgeData = { points?: XY[] };
export type LoomEdge = Edge<LoomEdgeData>;

/** Editor state a node keeps in its file's ui (ComfyUI's names where it has them). */
export interface NodeLook {
  width?: number;
  height?: number;
  collapsed?: boolean;
  pinned?: boolean;
  /** title bar and body colours (ComfyUI's color / bgcolor) */
  color?: string;
  bgcolor?: string;
  /** widgets shown as input sockets ("convert widget to input") */
  widget_inputs?: string[];
}

/** The typed view of a node's editor extras; anything malformed reads as absent. */
export function nodeLook(d: LoomNodeData): NodeLook {
  const e = d.extra ?? {};
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
  const str = (v: unknown) => (typeof v === 'string' && v.length <= 64 ? v : undefined);
  return {
    width: num(e.width),
    height: num(e.height),
    collapsed: e.collapsed === true || undefined,
    pinned: e.pinned === true || undefined,
    color: str(e.color),
    bgcolor: str(e.bgcolor),
    widget_inputs: Array.isArray(e.widget_inputs) ? e.widget_inputs.filter((x): x is string => typeof x === 'string') : undefined,
  };
}

const pointsSchema = z.record(z.string(), z.array(z.tuple([z.number(), z.number()])).max(64));
export interface Graph {
  nodes: LoomNode[];
  edges: LoomEdge[];
  groups?: WorkflowGroup[];
}

/** One link per input, so the target input names the edge and a new link replaces the old one. */
export function edgeId(target: string, input: string): string {
  return `${target}:${input}`;
}

export function makeEdge(source: string, output: string, target: string, input: string, points?: XY[]): LoomEdge {
  return {
    id: edgeId(target, input),
    type: 'loom',
    source,
    sourceHandle: output,
    target,
    targetHandle: input,
    ...(points?.length ? { data: { points } } : {}),
  };
}

export function graphToWorkflow(graph: Graph, meta?: Record<string, unknown>): Workflow {
  const nodes: Workflow['nodes'] = {};
  for (const n of graph.nodes) {
    const d = n.data;
    const { reroutes: _stale, ...extra } = d.extra ?? {};
    const ui: NonNullable<WorkflowNode['ui']> = { ...extra, x: Math.round(n.position.x), y: Math.round(n.position.y) };
    // Kept in ui (which the engine passes through): it steers the editor, not the run.
    if (d.seedControl && Object.keys(d.seedControl).length > 0) ui.seed_control = { ...d.seedControl };
    nodes[n.id] = {
      type: d.type,
      version: d.version ?? 1,
      params: { ...d.params },
      inputs: {},
      ui,
      ...(d.mode && d.mode !== 'always' ? { mode: d.mode } : {}),
      ...(d.title ? { title: d.title } : {}),
      ...(d.placeholder ? { placeholder: d.placeholder } : {}),
      ...(d.models ? { models: d.models } : {}),
    };
  }
  for (const e of graph.edges) {
    const target = nodes[e.target];
    if (!target || !e.sourceHandle || !e.targetHandle) continue;
    target.inputs[e.targetHandle] = { node: e.source, output: e.sourceHandle };
    const points = e.data?.points;
    if (points?.length && target.ui) {
      const reroutes = (target.ui.reroutes ?? {}) as Record<string, [number, number][]>;
      reroutes[e.targetHandle] = points.map((p) => [Math.round(p.x), Math.round(p.y)]);
      target.ui.reroutes = reroutes;
    }
  }
  return {
    format: WORKFLOW_FORMAT,
    version: WORKFLOW_VERSION,
    nodes,
    ...(graph.groups?.length ? { groups: graph.groups.map((g) => ({ ...g })) } : {}),
    ...(meta ? { meta } : {}),
  };
}

/** Adds the schema versions the engine validates against. */
export function withVersions(wf: Workflow, schemas: SchemaMap): Workflow {
  const nodes: Workflow['nodes'] = {};
  for (const [id, n] of Object.entries(wf.nodes)) nodes[id] = { ...n, version: getSchema(n.type, schemas)?.version ?? n.version };
  return { ...wf, nodes };
}

export function workflowToGraph(wf: Workflow, schemas: SchemaMap): Graph {
  const nodes: LoomNode[] = Object.entries(wf.nodes).map(([id, n], i) => {
    const schema = getSchema(n.type, schemas);
    const { x, y, seed_control, reroutes: _reroutes, ...extra } = n.ui ?? { x: (i % 6) * 320, y: Math.floor(i / 6) * 300 };
    const seedControl = seed_control === undefined ? null : seedControlSchema.safeParse(seed_control);
    return {
      id,
      type: 'loom',
      position: { x, y },
      ...(extra.pinned === true ? { draggable: false } : {}),
      data: {
        type: schema?.id ?? n.type,
        params: { ...(schema ? defaultParams(schema) : {}), ...n.params },
        ...(seedControl?.success ? { seedControl: seedControl.data } : {}),
        ...(n.mode ? { mode: n.mode } : {}),
        ...(n.title ? { title: n.title } : {}),
        ...(n.placeholder ? { placeholder: n.placeholder } : {}),
        ...(n.models ? { models: n.models } : {}),
        ...(Object.keys(extra).length ? { extra } : {}),
        version: n.version,
      },
    };
  });
  const edges: LoomEdge[] = [];
  for (const [id, n] of Object.entries(wf.nodes)) {
    // most nodes have no reroutes: only parse what is there
    const reroutes = n.ui?.reroutes === undefined ? null : pointsSchema.safeParse(n.ui.reroutes);
    for (const [input, link] of Object.entries(n.inputs)) {
      const points = reroutes?.success ? reroutes.data[input]?.map(([px, py]) => ({ x: px, y: py })) : undefined;
      if (wf.nodes[link.node]) edges.push(makeEdge(link.node, link.output, id, input, points));
    }
  }
  return { nodes, edges, groups: wf.groups ?? [] };
}

export type ParsedWorkflow = { ok: true; workflow: Workflow; warnings: string[] } | { ok: false; reason: string };

/** Any workflow JSON a user hands the editor: ours (any version, migrated) or ComfyUI's two formats. */
export function parseWorkflow(value: unknown, schemas: SchemaMap): ParsedWorkflow {
  try {
    return { ok: true, ...loadAnyWorkflow(value, schemas) };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** A node id derived from the type ("KSampler" → "ksampler", then "ksampler_2", ...). */
export function freshNodeId(type: string, taken: ReadonlySet<string>): string {
  const base = type.replace(/[^A-Za-z0-9]+/g, '').toLowerCase() || 'node';
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}
