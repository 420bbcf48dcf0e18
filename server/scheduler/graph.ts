/** Graph walks over a workflow, all linear in nodes + links: what outputs need, run order, cycles. */
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

const depsOf = (wf: Workflow, id: string, ids: ReadonlySet<string>) =>
  new Set(
    Object.values(wf.nodes[id].inputs)
      .map((l) => l.node)
      .filter((n) => ids.has(n)),
  );

/**
 * Kahn's algorithm over `ids`; ready nodes run in id order so plans are deterministic (a binary heap keeps it
 * O(n log n)). Nodes on (or downstream of) a cycle are left out.
 */
export function topoOrder(wf: Workflow, ids: ReadonlySet<string>): string[] {
  const pending = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const id of ids) {
    const deps = depsOf(wf, id, ids);
    pending.set(id, deps.size);
    for (const d of deps) {
      const list = dependents.get(d);
      if (list) list.push(id);
      else dependents.set(d, [id]);
    }
  }
  const ready = new MinHeap();
  for (const id of ids) if (pending.get(id) === 0) ready.push(id);
  const order: string[] = [];
  while (ready.size > 0) {
    const id = ready.pop();
    order.push(id);
    for (const next of dependents.get(id) ?? []) {
      const left = (pending.get(next) as number) - 1;
      pending.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  return order;
}

/** Nodes that sit on a cycle within `ids` (Tarjan's strongly connected components, iterative: no deep recursion). */
export function nodesOnCycles(wf: Workflow, ids: ReadonlySet<string>): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[] = [];
  let counter = 0;
  for (const root of ids) {
    if (index.has(root)) continue;
    const work: { id: string; deps: string[]; i: number }[] = [];
    const open = (id: string) => {
      index.set(id, counter);
      low.set(id, counter++);
      stack.push(id);
      onStack.add(id);
      work.push({ id, deps: [...depsOf(wf, id, ids)], i: 0 });
    };
    open(root);
    while (work.length > 0) {
      const top = work[work.length - 1];
      if (top.i < top.deps.length) {
        const d = top.deps[top.i++];
        if (!index.has(d)) open(d);
        else if (onStack.has(d)) low.set(top.id, Math.min(low.get(top.id)!, index.get(d)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].id;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.id)!));
      }
      if (low.get(top.id) === index.get(top.id)) {
        const scc: string[] = [];
        let x: string;
        do {
          x = stack.pop()!;
          onStack.delete(x);
          scc.push(x);
        } while (x !== top.id);
        const selfLoop = scc.length === 1 && depsOf(wf, scc[0], ids).has(scc[0]);
        if (scc.length > 1 || selfLoop) result.push(...scc);
      }
    }
  }
  return result.sort();
}

class MinHeap {
  private readonly a: string[] = [];
  get size(): number {
    return this.a.length;
  }
  push(v: string): void {
    const a = this.a;
    a.push(v);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (a[p] <= a[i]) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): string {
    const a = this.a;
    const top = a[0];
    const last = a.pop() as string;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l] < a[m]) m = l;
        if (r < a.length && a[r] < a[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}
