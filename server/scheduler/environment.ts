/** The real ValidationEnv (folders on disk, runner registry) and model-by-hash resolution. */
import fs from 'node:fs';
import { getSchema, type SchemaMap } from '../../nodes/schemas';
import type { Workflow } from '../../nodes/workflow/schema';
import type { RunnerEntry } from '../../nodes/runner';
import { listModelFiles, modelFolder, safeJoin, type LoomPaths } from '../config/paths';
import { findModelBySha256 } from '../config/hash';
import type { ValidationEnv } from './validate';

export function diskValidationEnv(paths: LoomPaths, runners: Readonly<Record<string, RunnerEntry>>): ValidationEnv {
  return {
    listModels: (folder) => listModelFiles(paths, folder),
    inputFileExists: (name) => {
      const full = safeJoin(paths.input, name);
      return full !== null && fs.existsSync(full);
    },
    isAvailable: (type) => Object.prototype.hasOwnProperty.call(runners, type) && runners[type].implemented,
  };
}

/** Where a model param names a missing file but carries a sha256, point it at the file with that hash. */
export async function resolveModelsByHash(wf: Workflow, schemas: SchemaMap, paths: LoomPaths): Promise<{ workflow: Workflow; notes: string[] }> {
  const notes: string[] = [];
  const nodes = { ...wf.nodes };
  for (const [id, node] of Object.entries(wf.nodes)) {
    const schema = getSchema(node.type, schemas);
    for (const [param, { sha256 }] of Object.entries(node.models ?? {})) {
      const spec = schema?.params.find((p) => p.name === param);
      const name = node.params[param];
      if (spec?.kind !== 'model' || typeof name !== 'string') continue;
      const full = safeJoin(modelFolder(paths, spec.folder), name);
      if (full && fs.existsSync(full)) continue;
      const found = await findModelBySha256(paths, spec.folder, sha256);
      if (found) {
        nodes[id] = { ...nodes[id], params: { ...nodes[id].params, [param]: found } };
        notes.push(`${id}.${param}: "${name}" not found; using "${found}" (same sha256).`);
      }
    }
  }
  return { workflow: { ...wf, nodes }, notes };
}
