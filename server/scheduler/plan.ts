/** Execution plan: the nodes the output nodes need, in topological order. */
import type { SchemaMap } from '../../nodes/schemas';
import type { Workflow } from '../../nodes/workflow/schema';
import { ancestors, outputNodeIds, topoOrder } from './graph';

/** `targets` overrides the output nodes (e.g. to run every node of a reference workflow that has none). */
export function planExecution(wf: Workflow, schemas: SchemaMap, targets?: readonly string[]): string[] {
  const needed = ancestors(wf, targets ?? outputNodeIds(wf, schemas));
  const order = topoOrder(wf, needed);
  if (order.length !== needed.size) throw new Error('Cannot plan a workflow with a cycle (validate first).');
  return order;
}
