/**
 * Request limits, checked before work is spent. Each has an env override (docs/security.md lists
 * them); the HTTP layer enforces bytes and JSON depth on the raw body, the routers the node count.
 */
export interface Limit {
  readonly value: number;
  /** the env var that raises it, named in every refusal */
  readonly env: string;
}

export interface Limits {
  /** bytes of a JSON request body (tRPC mutations; ComfyUI /prompt later) */
  body: Limit;
  /** bytes of one uploaded input file */
  upload: Limit;
  /** nodes in one workflow (subgraph nodes included) */
  workflowNodes: Limit;
  /** nesting of arrays/objects in any JSON request */
  jsonDepth: Limit;
}

const DEFAULTS = {
  body: { env: 'LOOM_MAX_BODY_BYTES', value: 8 * 1024 * 1024 },
  upload: { env: 'LOOM_MAX_UPLOAD_BYTES', value: 64 * 1024 * 1024 },
  workflowNodes: { env: 'LOOM_MAX_WORKFLOW_NODES', value: 5000 },
  jsonDepth: { env: 'LOOM_MAX_JSON_DEPTH', value: 64 },
} as const satisfies Record<keyof Limits, Limit>;

/** Reads the limits from env; a value that is not a positive integer is a startup error that names the variable. */
export function readLimits(env: Readonly<Record<string, string | undefined>> = process.env): Limits {
  const pick = (d: Limit): Limit => {
    const raw = env[d.env];
    if (raw === undefined || raw === '') return d;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${d.env}=${JSON.stringify(raw)}: expected a positive integer`);
    return { env: d.env, value };
  };
  return {
    body: pick(DEFAULTS.body),
    upload: pick(DEFAULTS.upload),
    workflowNodes: pick(DEFAULTS.workflowNodes),
    jsonDepth: pick(DEFAULTS.jsonDepth),
  };
}

let processLimits: Limits | null = null;
/** The process-wide limits, read from env on first use (a bad value throws then, naming the variable). */
export function defaultLimits(): Limits {
  processLimits ??= readLimits();
  return processLimits;
}

/** One wording for every refusal: what, the limit, and how to raise it. */
export const describeLimit = (what: string, l: Limit, unit: string) => `${what} is limited to ${l.value} ${unit} (set ${l.env} to raise it)`;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Nodes in a workflow of any accepted format, counted without interpreting it: our `nodes` map,
 * ComfyUI UI `nodes` array plus subgraph definitions, or a ComfyUI API prompt (one key per node).
 */
export function countWorkflowNodes(wf: unknown): number {
  if (!isRecord(wf)) return 0;
  const nodes = wf.nodes;
  if (Array.isArray(nodes) || isRecord(nodes)) {
    let n = Array.isArray(nodes) ? nodes.length : Object.keys(nodes).length;
    const defs = isRecord(wf.definitions) ? wf.definitions.subgraphs : undefined;
    if (Array.isArray(defs)) for (const sg of defs) if (isRecord(sg) && Array.isArray(sg.nodes)) n += sg.nodes.length;
    return n;
  }
  return Object.keys(wf).length;
}

/** Why a workflow is refused for its size, or null when it fits. */
export function workflowTooLarge(wf: unknown, limits: Limits = defaultLimits()): string | null {
  const n = countWorkflowNodes(wf);
  return n > limits.workflowNodes.value ? `The workflow has ${n} nodes; ${describeLimit('a workflow', limits.workflowNodes, 'nodes')}.` : null;
}
