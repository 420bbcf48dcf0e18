/** Graph walks over a workflow: which nodes an output needs, and in which order to run them. */
import type { Workflow } from '../../nodes/workflow/schema';
import type { SchemaMap } from '../../nodes/schemas';
import { getSchema } from '../../nodes/schemas';

export function outputNodeIds(wf: Workflow, schemas: SchemaMap): string[] {
  return Object.keys(wf.nodes).filter((id) => getSchema(wf.nodes[id].type, schemas)?.output === true);
}

/** Ids of `roots` and everything upstream of them (links to missing nodes are skipped). */
export function ancestors(wf: Workflow, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id) || !wf.nodes[id]) continue;
    seen.add(id);
    for (const link of Object.values(wf.nodes[id].inputs)) stack.push(link.node);
  }
  return seen;
}

/** Nodes that sit on a cycle within `ids` (Tarjan-free: repeatedly strip nodes without pending inputs). */
export function nodesOnCycles(wf: Workflow, ids: ReadonlySet<string>): string[] {
  const order = topoOrder(wf, ids);
  const done = new Set(order);
  return [...ids].filter((id) => !done.has(id));
}

/**
 * Kahn's algorithm over `ids`; ties broken by id so plans are deterministic.
 * Nodes on (or downstream of) a cycle are left out.
 */
export function topoOrder(wf: Workflow, ids: ReadonlySet<string>): string[] {
  const pending = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const id of ids) {
    const deps = new Set(Object.values(wf.nodes[id].inputs).map((l) => l.node).filter((n) => ids.has(n)));
    pending.set(id, deps.size);
    for (const d of deps) dependents.set(d, [...(dependents.get(d) ?? []), id]);
  }
  const ready = [...ids].filter((id) => pending.get(id) === 0).sort();
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift() as string;
    order.push(id);
    for (const next of dependents.get(id) ?? []) {
      const left = (pending.get(next) as number) - 1;
      pending.set(next, left);
      if (left === 0) {
        ready.push(next);
        ready.sort();
      }
    }
  }
  return order;
}
