/** Forward migrations keyed by the version they upgrade from. Each returns the next version's JSON. */
import { v1ToV2 } from './migrate-v1';
import { WORKFLOW_FORMAT, WORKFLOW_VERSION, workflowSchema, type Workflow } from './schema';

type Json = Record<string, unknown>;
type Migration = (doc: Json) => Json;

/**
 * v0 (early prototype): nodes as an array `{id, type, params, x, y, links: {input: [node, output]}}`.
 * v1 makes nodes a map and links name the output they read.
 */
function v0ToV1(doc: Json): Json {
  const list = Array.isArray(doc.nodes) ? (doc.nodes as Json[]) : [];
  const nodes: Record<string, Json> = {};
  for (const n of list) {
    const links = (n.links ?? {}) as Record<string, unknown>;
    const inputs: Record<string, { node: string; output: string }> = {};
    for (const [name, link] of Object.entries(links)) {
      if (Array.isArray(link) && link.length === 2) inputs[name] = { node: String(link[0]), output: String(link[1]) };
    }
    nodes[String(n.id)] = {
      type: n.type,
      version: 1,
      params: n.params ?? {},
      inputs,
      ...(typeof n.x === 'number' && typeof n.y === 'number' ? { ui: { x: n.x, y: n.y } } : {}),
    };
  }
  return { format: WORKFLOW_FORMAT, version: 1, nodes, ...(doc.meta ? { meta: doc.meta } : {}) };
}

export const MIGRATIONS: Readonly<Record<number, Migration>> = { 0: v0ToV1, 1: v1ToV2 };

export class WorkflowFormatError extends Error {
  constructor(
    message: string,
    readonly issues: string[] = [],
  ) {
    super(message);
    this.name = 'WorkflowFormatError';
  }
}

/** Migrates any known version forward, then validates against the current schema. */
export function parseWorkflow(input: unknown): Workflow {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new WorkflowFormatError('A workflow must be a JSON object.');
  }
  let doc = input as Json;
  if (doc.format !== WORKFLOW_FORMAT) {
    throw new WorkflowFormatError(`Not a Latent Loom workflow (format is ${JSON.stringify(doc.format)}, expected "${WORKFLOW_FORMAT}").`);
  }
  let version = typeof doc.version === 'number' ? doc.version : 0;
  if (version > WORKFLOW_VERSION) {
    throw new WorkflowFormatError(`Workflow version ${version} is newer than this build understands (${WORKFLOW_VERSION}).`);
  }
  while (version < WORKFLOW_VERSION) {
    const step = MIGRATIONS[version];
    if (!step) throw new WorkflowFormatError(`No migration from workflow version ${version}.`);
    doc = step(doc);
    version = doc.version as number;
  }
  const parsed = workflowSchema.safeParse(doc);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new WorkflowFormatError(`Invalid workflow: ${issues.join('; ')}`, issues);
  }
  return parsed.data;
}
