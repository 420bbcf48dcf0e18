/**
 * A ComfyUI UI workflow as one flat graph, as ComfyUI's frontend flattens it before queueing: subgraph instances
 * (`definitions.subgraphs`, node type = the definition's id) and legacy group nodes (`extra.groupNodes`, type
 * `workflow>name`) are replaced by their inner nodes (ids `instance:inner`, as ComfyUI numbers them), links through
 * their inputs and outputs are rewired, and Reroute nodes become plain wires.
 */
import { getSchema, type SchemaMap } from '../../schemas';
import { hasControlWidget } from '../../types';
import { normalLinks, type GroupNodeData, type NormalLink, type SubgraphDefinition, type UiNode, type UiWorkflow } from './ui-format';

export interface FlatNode {
  id: string;
  node: UiNode;
}
export interface FlatGraph {
  nodes: FlatNode[];
  links: NormalLink[];
  warnings: string[];
}

const SUBGRAPH_IN = '-10';
const SUBGRAPH_OUT = '-20';
const MAX_DEPTH = 16;

/** One graph level: nodes and links, where links may start at SUBGRAPH_IN or end at SUBGRAPH_OUT (a body). */
interface Level {
  nodes: FlatNode[];
  links: NormalLink[];
}

interface Context {
  defs: Map<string, SubgraphDefinition>;
  groups: Readonly<Record<string, GroupNodeData>>;
  schemas: SchemaMap;
  warnings: string[];
}

export function flattenUiWorkflow(wf: UiWorkflow, schemas: SchemaMap): FlatGraph {
  const ctx: Context = {
    defs: new Map((wf.definitions?.subgraphs ?? []).map((d) => [d.id, d])),
    groups: wf.extra?.groupNodes ?? {},
    schemas,
    warnings: [],
  };
  const level = flattenLevel(wf.nodes, [...normalLinks(wf.links).values()], '', ctx, 0);
  const { nodes, links } = dropReroutes(level);
  return { nodes, links, warnings: ctx.warnings };
}

function groupName(type: string): string | null {
  const m = /^workflow[>/](.+)$/.exec(type);
  return m ? m[1] : null;
}

function flattenLevel(nodes: readonly UiNode[], links: readonly NormalLink[], prefix: string, ctx: Context, depth: number): Level {
  if (depth > MAX_DEPTH) throw new Error(`Subgraphs nest deeper than ${MAX_DEPTH} levels (or include themselves).`);
  const out: FlatNode[] = [];
  const bodies = new Map<string, Level>();
  for (const n of nodes) {
    const id = `${prefix}${n.id}`;
    const def = ctx.defs.get(n.type);
    const group = groupName(n.type);
    if (def) {
      const inner = normalLinks(def.links);
      const body = flattenLevel(def.nodes, [...inner.values()], `${id}:`, ctx, depth + 1);
      applyPromotedWidgets(body, n);
      bodies.set(id, body);
      out.push(...body.nodes);
    } else if (group !== null && ctx.groups[group]) {
      const body = groupBody(ctx.groups[group], n, `${id}:`, ctx);
      bodies.set(id, body);
      out.push(...body.nodes);
    } else out.push({ id, node: n });
  }
  const result: NormalLink[] = [];
  // body-internal links (not touching the instance's ports)
  for (const body of bodies.values()) {
    for (const l of body.links) if (l.origin !== SUBGRAPH_IN && l.target !== SUBGRAPH_OUT) result.push(l);
  }
  const resolveOrigin = (origin: string, slot: number, seen = 0): { origin: string; originSlot: number } | null => {
    const body = bodies.get(origin);
    if (!body) return { origin, originSlot: slot };
    const inner = body.links.find((l) => l.target === SUBGRAPH_OUT && l.targetSlot === slot);
    if (!inner || seen > MAX_DEPTH) return null;
    if (inner.origin === SUBGRAPH_IN) {
      // output wired straight to an input of the same instance: follow what feeds that input
      const feed = links.find((l) => `${prefix}${l.target}` === origin && l.targetSlot === inner.originSlot);
      return feed ? resolveOrigin(`${prefix}${feed.origin}`, feed.originSlot, seen + 1) : null;
    }
    return { origin: inner.origin, originSlot: inner.originSlot };
  };
  for (const l of links) {
    const origin = l.origin === SUBGRAPH_IN ? SUBGRAPH_IN : `${prefix}${l.origin}`;
    const target = l.target === SUBGRAPH_OUT ? SUBGRAPH_OUT : `${prefix}${l.target}`;
    const src = origin === SUBGRAPH_IN ? { origin, originSlot: l.originSlot } : resolveOrigin(origin, l.originSlot);
    if (!src) continue;
    const body = bodies.get(target);
    if (!body) {
      result.push({ ...src, target, targetSlot: l.targetSlot, type: l.type });
      continue;
    }
    for (const inner of body.links) {
      if (inner.origin === SUBGRAPH_IN && inner.originSlot === l.targetSlot)
        result.push({ ...src, target: inner.target, targetSlot: inner.targetSlot, type: l.type });
    }
  }
  return { nodes: out, links: result };
}

/**
 * Widgets promoted onto a subgraph instance: an instance input that carries a widget and is not linked feeds the
 * inner widget(s) it is wired to with the instance's own value.
 */
function applyPromotedWidgets(body: Level, inst: UiNode): void {
  const values = Array.isArray(inst.widgets_values) ? inst.widgets_values : [];
  let w = 0;
  (inst.inputs ?? []).forEach((input, k) => {
    if (!input.widget) return;
    const value = values[w++];
    if (input.link != null || value === undefined) return;
    for (const l of body.links) {
      if (l.origin !== SUBGRAPH_IN || l.originSlot !== k) continue;
      const target = body.nodes.find((n) => n.id === l.target);
      const slot = target?.node.inputs?.[l.targetSlot];
      if (!target || !slot?.widget) continue;
      target.node = withWidgetValue(target.node, slot.widget.name, value);
    }
  });
  body.links = body.links.filter((l) => {
    if (l.origin !== SUBGRAPH_IN) return true;
    const input = inst.inputs?.[l.originSlot];
    return !(input?.widget && input.link == null);
  });
}

/** The node with one widget's value set from outside (import reads `properties.__promoted` over widgets_values). */
function withWidgetValue(n: UiNode, widget: string, value: unknown): UiNode {
  const promoted = { ...((n.properties?.__promoted as Record<string, unknown> | undefined) ?? {}), [widget]: value };
  return { ...n, properties: { ...n.properties, __promoted: promoted } };
}

/**
 * A legacy group node's body. Its external inputs are the inner sockets not linked inside the group (node by node,
 * in input order), then inner widgets converted to inputs; its outputs are the inner outputs not used only inside;
 * its widget values are the inner widgets' values in node order (+ control_after_generate after seeds).
 */
function groupBody(data: GroupNodeData, inst: UiNode, prefix: string, ctx: Context): Level {
  const nodes: FlatNode[] = data.nodes.map((n, i) => ({ id: `${prefix}${i}`, node: { ...n, id: i } }));
  const internal = new Set<string>();
  const links: NormalLink[] = [];
  for (const raw of data.links) {
    const [from, fromSlot, to, toSlot] = raw.map((v) => Number(v));
    if (![from, fromSlot, to, toSlot].every(Number.isInteger)) continue;
    internal.add(`${to}:${toSlot}`);
    links.push({
      origin: `${prefix}${from}`,
      originSlot: fromSlot,
      target: `${prefix}${to}`,
      targetSlot: toSlot,
      type: typeof raw[5] === 'string' ? raw[5] : '*',
    });
  }
  // external inputs: sockets first (per node), then converted widgets (per node)
  const sockets: [number, number][] = [];
  const converted: [number, number][] = [];
  data.nodes.forEach((n, i) =>
    (n.inputs ?? []).forEach((input, s) => {
      if (internal.has(`${i}:${s}`)) return;
      (input.widget ? converted : sockets).push([i, s]);
    }),
  );
  [...sockets, ...converted].forEach(([i, s], k) =>
    links.push({ origin: SUBGRAPH_IN, originSlot: k, target: `${prefix}${i}`, targetSlot: s, type: '*' }),
  );
  // external outputs
  const linkedInside = new Set(links.filter((l) => l.origin !== SUBGRAPH_IN).map((l) => `${l.origin}:${l.originSlot}`));
  const external = new Set(data.external.map(([i, s]) => `${prefix}${i}:${s}`));
  let k = 0;
  data.nodes.forEach((n, i) =>
    (n.outputs ?? []).forEach((_, s) => {
      const key = `${prefix}${i}:${s}`;
      if (linkedInside.has(key) && !external.has(key)) return;
      links.push({ origin: `${prefix}${i}`, originSlot: s, target: SUBGRAPH_OUT, targetSlot: k++, type: '*' });
    }),
  );
  // the instance's widget values, in inner node order
  const values = Array.isArray(inst.widgets_values) ? [...inst.widgets_values] : null;
  if (values) {
    for (const f of nodes) {
      const schema = getSchema(f.node.type, ctx.schemas);
      if (!schema) continue;
      const convertedNames = new Set((f.node.inputs ?? []).filter((i) => i.widget).map((i) => i.widget!.name));
      const own: unknown[] = [];
      for (const p of schema.params) {
        if (convertedNames.has(p.name)) {
          own.push(undefined);
          if (hasControlWidget(p)) own.push(undefined);
          continue;
        }
        own.push(values.shift());
        if (hasControlWidget(p)) own.push(values.shift());
        if (p.kind === 'image' && p.upload) values.shift();
      }
      const base = Array.isArray(f.node.widgets_values) ? f.node.widgets_values : [];
      f.node = { ...f.node, widgets_values: own.map((v, i) => (v === undefined ? base[i] : v)) };
    }
  }
  if (!values)
    ctx.warnings.push(`Group node ${inst.id} (${inst.type}) has no widget values: its inner nodes keep the values they were grouped with.`);
  return { nodes, links };
}

/** Reroute nodes (one input, one output) become plain wires from what feeds them to what they feed. */
function dropReroutes(level: Level): Level {
  const reroutes = new Set(level.nodes.filter((n) => n.node.type === 'Reroute').map((n) => n.id));
  if (reroutes.size === 0) return level;
  const feeds = new Map<string, NormalLink>();
  for (const l of level.links) if (reroutes.has(l.target)) feeds.set(l.target, l);
  const links: NormalLink[] = [];
  for (const l of level.links) {
    if (reroutes.has(l.target)) continue;
    let src: NormalLink | undefined = l;
    for (let hops = 0; src && reroutes.has(src.origin) && hops <= level.nodes.length; hops++) src = feeds.get(src.origin);
    if (!src || reroutes.has(src.origin)) continue; // a reroute fed by nothing: the input stays unlinked
    links.push({ ...l, origin: src.origin, originSlot: src.originSlot });
  }
  return { nodes: level.nodes.filter((n) => !reroutes.has(n.id)), links };
}
