/**
 * The one registry of node types (server side), built from the node folders: every folder under nodes/ holding a
 * `node.ts` is a node type whose id is the folder's name. The UI (through the API), the validator, the scheduler,
 * the importer and the CLI all read this; adding a node is adding a folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { NodeImplementation } from './node';
import { schemaMap, type SchemaMap } from './schemas';
import type { NodeSchema } from './types';

export const NODES_DIR = path.dirname(fileURLToPath(import.meta.url));

export interface Registry {
  readonly list: readonly NodeSchema[];
  /** by id and by alias */
  readonly schemas: SchemaMap;
  implementation(id: string): NodeImplementation | undefined;
}

export class RegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** Node folders found in `dir`: sub-folders with a node.ts. */
export function nodeFolders(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'node.ts')))
    .map((e) => path.join(dir, e.name))
    .sort();
}

/** Imports every node folder of `dirs` (later folders may not reuse an id) and checks each registration. */
export async function loadRegistry(dirs: readonly string[] = [NODES_DIR]): Promise<Registry> {
  const impls = new Map<string, NodeImplementation>();
  for (const dir of dirs) {
    for (const folder of nodeFolders(dir)) {
      const mod = (await import(pathToFileURL(path.join(folder, 'node.ts')).href)) as { default?: NodeImplementation };
      const impl = mod.default;
      const id = path.basename(folder);
      if (!impl || typeof impl.run !== 'function' || !impl.schema)
        throw new RegistryError(`${folder}/node.ts must default-export defineNode(schema, run)`);
      if (impl.schema.id !== id) throw new RegistryError(`${folder}: schema id "${impl.schema.id}" differs from its folder name "${id}"`);
      if (impls.has(id)) throw new RegistryError(`node type "${id}" is defined twice (${folder})`);
      impls.set(id, impl);
    }
  }
  const list = [...impls.values()].map((i) => i.schema);
  const schemas = schemaMap(list);
  for (const s of list) {
    for (const a of s.aliases ?? []) {
      if (impls.has(a.id)) throw new RegistryError(`alias "${a.id}" of ${s.id} is also a node type`);
    }
  }
  return {
    list,
    schemas,
    implementation: (id) => impls.get(id) ?? (schemas[id] ? impls.get(schemas[id].id) : undefined),
  };
}

/** The registry of this build's nodes (loaded once per process). */
export const REGISTRY: Registry = await loadRegistry();
