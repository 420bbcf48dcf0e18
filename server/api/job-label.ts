/** What a queue or history row shows of a job's workflow: the positive prompt it ran with, shortened. */
import type { Workflow } from '../../nodes/workflow/schema';

const MAX = 120;
const TEXT_PARAMS = ['text', 'text_g', 'text_l', 'prompt'];

function textOf(node: Workflow['nodes'][string] | undefined): string | null {
  if (!node) return null;
  for (const p of TEXT_PARAMS) {
    const v = node.params[p];
    if (typeof v === 'string' && v.trim() !== '') return v;
  }
  return null;
}

/** The text feeding a sampler's `positive` input (through one hop of conditioning nodes), else the first prompt. */
export function promptExcerpt(wf: Workflow): string | null {
  let found: string | null = null;
  for (const n of Object.values(wf.nodes)) {
    const link = n.inputs.positive;
    if (!link) continue;
    const source = wf.nodes[link.node];
    found = textOf(source) ?? textOf(source?.inputs.conditioning ? wf.nodes[source.inputs.conditioning.node] : undefined);
    if (found) break;
  }
  if (!found) {
    for (const n of Object.values(wf.nodes)) {
      if (!/TextEncode/i.test(n.type)) continue;
      found = textOf(n);
      if (found) break;
    }
  }
  if (!found) return null;
  const one = found.replace(/\s+/g, ' ').trim();
  return one.length > MAX ? `${one.slice(0, MAX - 1)}…` : one;
}
