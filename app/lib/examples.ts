import type { ModelFolder } from '@/nodes/schemas';
import type { ModelFile } from './engineApi';
import { getSchema, type SchemaMap } from '@/nodes/schemas';
import type { Workflow } from './workflow';

/** An example the editor ships (public/workflows/index.json) and what it needs to run. */
export interface ExampleEntry {
  file: string;
  title: string;
  description?: string;
  needs?: {
    /** the checkpoint family its settings are made for (sd1, sdxl, ...) */
    checkpoint?: string;
    /** folders that must hold at least one file (loras for the LoRA example) */
    folders?: ModelFolder[];
    /** example inputs copied into input/ when missing (files under public/examples/input/) */
    inputs?: string[];
  };
}

export function parseExampleIndex(value: unknown): ExampleEntry[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (e): e is ExampleEntry =>
      typeof e === 'object' && e !== null && typeof e.file === 'string' && e.file.endsWith('.json') && typeof e.title === 'string',
  );
}

type Models = Partial<Record<ModelFolder, ModelFile[]>>;

/**
 * Points every model widget at an installed file, as ComfyUI does with a combo whose value is missing: the
 * first file of the folder, and for checkpoints the first of the example's family (sorted by name). Returns
 * the workflow and a line for each widget that had nothing to point at.
 */
export function adaptExample(wf: Workflow, schemas: SchemaMap, models: Models, family?: string): { workflow: Workflow; missing: string[] } {
  const missing: string[] = [];
  const nodes: Workflow['nodes'] = {};
  // loaders meant to differ (the merge examples) get different files while there are enough
  const used = new Set<string>();
  for (const [id, n] of Object.entries(wf.nodes)) {
    const params = { ...n.params };
    for (const p of getSchema(n.type, schemas)?.params ?? []) {
      if (p.kind !== 'model') continue;
      const files = models[p.folder] ?? [];
      const current = params[p.name];
      if (typeof current === 'string' && files.some((f) => f.name === current)) {
        used.add(`${p.folder}/${current}`);
        continue;
      }
      const fitting = p.folder === 'checkpoints' && family ? files.filter((f) => f.family === family) : files;
      const pick = fitting.find((f) => !used.has(`${p.folder}/${f.name}`)) ?? fitting[0];
      if (pick) {
        params[p.name] = pick.name;
        used.add(`${p.folder}/${pick.name}`);
      } else if (!(p.optional && current === '')) missing.push(p.folder === 'checkpoints' && family ? `${p.folder} (${family})` : p.folder);
    }
    nodes[id] = { ...n, params };
  }
  return { workflow: { ...wf, nodes }, missing: [...new Set(missing)] };
}
