/** Execution plan: the nodes the output nodes need, in topological order. */
import type { SchemaMap } from '../../nodes/schemas';
import type { Workflow } from '../../nodes/workflow/schema';
import { ancestors, outputNodeIds, topoOrder } from './graph';

export function planExecution(wf: Workflow, schemas: SchemaMap): string[] {
  const needed = ancestors(wf, outputNodeIds(wf, schemas));
  const order = topoOrder(wf, needed);
  if (order.length !== needed.size) throw new Error('Cannot plan a workflow with a cycle (validate first).');
  return order;
}
