/**
 * Placement keys: which checkpoints a job loads, by content hash where it is known (a worker on another
 * host may keep the file under another name), else by file name until the hash is known. The API attaches
 * known hashes to the stored workflow so workers can find a renamed file by hash in their own folders.
 */
import fs from 'node:fs';
import { getSchema, type SchemaMap } from '../../nodes/schemas';
import type { Workflow } from '../../nodes/workflow/schema';
import { cachedSha256Sync, sha256File } from '../config/hash';
import type { LoomPaths } from '../config/paths';
import { resolveModelFile } from '../config/model-resolve';

export interface CheckpointRef {
  nodeId: string;
  param: string;
  name: string;
  /** sha256 the workflow carries for it */
  sha256: string | null;
}

export const fileKey = (name: string): string => `file:${name}`;

/** Model params that name a checkpoint (folder `checkpoints`), in node order. */
export function checkpointRefs(wf: Workflow, schemas: SchemaMap): CheckpointRef[] {
  const refs: CheckpointRef[] = [];
  for (const [nodeId, node] of Object.entries(wf.nodes)) {
    const schema = getSchema(node.type, schemas);
    for (const spec of schema?.params ?? []) {
      const name = node.params[spec.name];
      if (spec.kind !== 'model' || spec.folder !== 'checkpoints' || typeof name !== 'string') continue;
      refs.push({ nodeId, param: spec.name, name, sha256: node.models?.[spec.name]?.sha256 ?? null });
    }
  }
  return refs;
}

export function checkpointPath(paths: LoomPaths, name: string): string | null {
  const r = resolveModelFile(paths, 'checkpoints', name);
  return r.ok ? r.path : null;
}

const hashing = new Set<string>();
/** Hashes a file once in the background (cached on disk by the runtime), so later jobs carry its sha256. */
export function hashInBackground(file: string): void {
  if (hashing.has(file)) return;
  hashing.add(file);
  void sha256File(file)
    .catch(() => {})
    .finally(() => hashing.delete(file));
}

/** The job's placement keys, with every sha256 this process knows written into the workflow's `models`. */
export function withPlacementKeys(wf: Workflow, schemas: SchemaMap, paths: LoomPaths): { workflow: Workflow; keys: string[] } {
  const keys: string[] = [];
  const nodes = { ...wf.nodes };
  for (const ref of checkpointRefs(wf, schemas)) {
    let sha256 = ref.sha256;
    if (!sha256) {
      const file = checkpointPath(paths, ref.name);
      sha256 = file ? cachedSha256Sync(file) : null;
      if (sha256) {
        const node = nodes[ref.nodeId];
        nodes[ref.nodeId] = { ...node, models: { ...node.models, [ref.param]: { sha256 } } };
      } else if (file && fs.existsSync(file)) hashInBackground(file);
    }
    const key = sha256 ?? fileKey(ref.name);
    if (!keys.includes(key)) keys.push(key);
  }
  return { workflow: { ...wf, nodes }, keys };
}
