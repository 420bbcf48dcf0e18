/** The real ValidationEnv (folders on disk), model names as users write them, and model-by-hash resolution. */
import fs from 'node:fs';
import { getSchema, type SchemaMap } from '../../nodes/schemas';
import type { Workflow } from '../../nodes/workflow/schema';
import { safeJoin, type LoomPaths } from '../config/paths';
import { modelDirectories } from '../config/model-folders';
import { isWithin } from '../config/real-path';
import { listModels, resolveModelFile } from '../config/model-resolve';
import { findModelBySha256 } from '../config/hash';
import { closestNames } from './edit-distance';
import type { ValidationEnv } from './validate';

export function diskValidationEnv(paths: LoomPaths): ValidationEnv {
  return {
    findModel: (folder, name) => {
      const r = resolveModelFile(paths, folder, name);
      if (r.ok) return { ok: true };
      const names = listModels(paths, folder);
      const suggestions = r.suggestions.length > 0 ? r.suggestions : closestNames(name, names);
      const empty = names.length === 0 ? ` The ${folder} folder (${modelDirectories(paths, folder).join(', ')}) has no model files.` : '';
      return { ok: false, message: (name === '' ? 'No model file chosen' : `Model "${name}" not found in ${folder}`) + empty, suggestions };
    },
    inputFileExists: (name) => {
      // a real file really inside input/ (a planted link to /etc does not count)
      const full = safeJoin(paths.input, name);
      if (!full) return false;
      try {
        const real = fs.realpathSync(full);
        return isWithin(fs.realpathSync(paths.input), real) && fs.statSync(real).isFile();
      } catch {
        return false;
      }
    },
  };
}

/**
 * Model widgets rewritten to the file they mean (Windows separators, missing folder, other case…), and where a name
 * is missing but the node carries the file's sha256, the file with that hash. Each rewrite is reported as a note.
 */
export async function resolveModelNames(wf: Workflow, schemas: SchemaMap, paths: LoomPaths): Promise<{ workflow: Workflow; notes: string[] }> {
  const notes: string[] = [];
  const nodes = { ...wf.nodes };
  for (const [id, node] of Object.entries(wf.nodes)) {
    const schema = getSchema(node.type, schemas);
    if (!schema) continue;
    for (const spec of schema.params) {
      const name = node.params[spec.name];
      if (spec.kind !== 'model' || typeof name !== 'string' || name === '') continue;
      const r = resolveModelFile(paths, spec.folder, name);
      let found: string | null = r.ok ? r.name : null;
      const sha256 = node.models?.[spec.name]?.sha256;
      if (!found && sha256) {
        found = await findModelBySha256(paths, spec.folder, sha256);
        if (found) notes.push(`${id}.${spec.name}: "${name}" not found; using "${found}" (same sha256).`);
      } else if (found && found !== name) notes.push(`${id}.${spec.name}: "${name}" is "${found}".`);
      if (found && found !== name) nodes[id] = { ...nodes[id], params: { ...nodes[id].params, [spec.name]: found } };
    }
  }
  return { workflow: { ...wf, nodes }, notes };
}
