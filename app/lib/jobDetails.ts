import type { Workflow } from './workflow';

/** What an image was made with, read from the workflow of the job that made it. */
export interface MadeWith {
  prompt: string | null;
  negative: string | null;
  seed: string | null;
  sampler: string | null;
  scheduler: string | null;
  steps: number | null;
  cfg: number | null;
  model: string | null;
}

type WfNode = Workflow['nodes'][string];

const TEXTS = ['text', 'text_g', 'text_l'];

function textOf(n: WfNode | undefined): string | null {
  if (!n) return null;
  const parts = TEXTS.map((k) => n.params[k]).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
  return parts.length ? [...new Set(parts)].join(' / ') : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Upstream nodes of `id`, nearest first (the sampler that fed a decode that fed the save node). */
function ancestors(wf: Workflow, id: string): string[] {
  const seen = new Set<string>();
  const order: string[] = [];
  const queue = [id];
  while (queue.length) {
    const cur = queue.shift() as string;
    for (const link of Object.values(wf.nodes[cur]?.inputs ?? {})) {
      if (seen.has(link.node)) continue;
      seen.add(link.node);
      order.push(link.node);
      queue.push(link.node);
    }
  }
  return order;
}

/** The sampler, prompts and model behind `outputNode` (or the first sampler of the workflow). */
export function madeWith(wf: Workflow, outputNode?: string): MadeWith {
  const pool = outputNode && wf.nodes[outputNode] ? ancestors(wf, outputNode) : Object.keys(wf.nodes);
  const samplerId = pool.find((id) => {
    const p = wf.nodes[id]?.params ?? {};
    return 'sampler_name' in p || ('seed' in p && 'steps' in p) || 'noise_seed' in p;
  });
  const sampler = samplerId ? wf.nodes[samplerId] : undefined;
  const sp = sampler?.params ?? {};
  const linked = (input: string) => {
    const l = sampler?.inputs[input];
    return l ? wf.nodes[l.node] : undefined;
  };
  const scope = samplerId ? [samplerId, ...ancestors(wf, samplerId)] : pool;
  const modelNode = scope.map((id) => wf.nodes[id]).find((n) => n && typeof n.params.ckpt_name === 'string');
  return {
    prompt: textOf(linked('positive')),
    negative: textOf(linked('negative')),
    seed: str(sp.seed ?? sp.noise_seed),
    sampler: str(sp.sampler_name),
    scheduler: str(sp.scheduler),
    steps: num(sp.steps),
    cfg: num(sp.cfg),
    model: modelNode ? str(modelNode.params.ckpt_name) : null,
  };
}
