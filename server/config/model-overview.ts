/**
 * The model library panel's data: every model folder with the directories it reads (full paths, whether they
 * exist), creating the missing default ones on request, and which saved workflows name which model file.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { getSchema, MODEL_FOLDERS, type ModelFolder, type SchemaMap } from '../../nodes/schemas';
import { loadAnyWorkflow } from '../../nodes/workflow/load';
import type { Workflow } from '../../nodes/workflow/schema';
import { MODEL_FOLDER_TABLE, modelDirectories } from './model-folders';
import type { LoomPaths } from './paths';

export interface FolderDir {
  path: string;
  exists: boolean;
}

export interface FolderInfo {
  folder: ModelFolder;
  /** every directory read for it, in lookup order (the first is where new files belong) */
  dirs: FolderDir[];
  /** file endings it lists */
  extensions: readonly string[];
}

async function isDir(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => null))?.isDirectory() === true;
}

export async function modelFolderInfo(paths: Pick<LoomPaths, 'models' | 'extraModelPaths'>): Promise<FolderInfo[]> {
  return Promise.all(
    MODEL_FOLDERS.map(async (folder) => {
      const dirs = modelDirectories(paths, folder);
      return {
        folder,
        dirs: await Promise.all(dirs.map(async (d) => ({ path: d, exists: await isDir(d) }))),
        extensions: MODEL_FOLDER_TABLE[folder].extensions,
      };
    }),
  );
}

/**
 * Creates `<models>/<folder>` for every folder whose directories are all missing (ComfyUI's own layout), so a
 * person can see where files go. Only the table's own names under the models directory: nothing else is made.
 */
export async function ensureModelFolders(paths: Pick<LoomPaths, 'models' | 'extraModelPaths'>): Promise<string[]> {
  const created: string[] = [];
  for (const folder of MODEL_FOLDERS) {
    const dirs = modelDirectories(paths, folder);
    if ((await Promise.all(dirs.map(isDir))).some(Boolean)) continue;
    const own = path.join(paths.models, MODEL_FOLDER_TABLE[folder].dirs[0]);
    await fs.mkdir(own, { recursive: true });
    created.push(own);
  }
  return created;
}

/** folder → model file name → the saved workflows (library names) that use it. */
export type ModelUsage = Partial<Record<ModelFolder, Record<string, string[]>>>;

const MAX_FILES = 2000;
const MAX_BYTES = 8 * 1024 * 1024;

/** Reads the saved workflows (any format the library accepts) and collects their model widgets' values. Unreadable files are skipped. */
export async function modelUsage(workflowsDir: string, schemas: SchemaMap): Promise<ModelUsage> {
  const entries = await fs.readdir(workflowsDir, { withFileTypes: true }).catch(() => []);
  const files = entries.filter((e) => e.isFile() && e.name.endsWith('.json')).slice(0, MAX_FILES);
  const usage: ModelUsage = {};
  for (const e of files) {
    const file = path.join(workflowsDir, e.name);
    const st = await fs.stat(file).catch(() => null);
    if (!st || st.size > MAX_BYTES) continue;
    let wf: Workflow;
    try {
      wf = loadAnyWorkflow(JSON.parse(await fs.readFile(file, 'utf8')), schemas).workflow;
    } catch {
      continue;
    }
    const name = e.name.slice(0, -5);
    for (const node of Object.values(wf.nodes)) {
      const schema = getSchema(node.type, schemas);
      for (const p of schema?.params ?? []) {
        const v = node.params[p.name];
        if (p.kind !== 'model' || typeof v !== 'string' || v === '') continue;
        const byName = usage[p.folder] ?? {};
        usage[p.folder] = byName;
        const users = byName[v] ?? [];
        byName[v] = users;
        if (!users.includes(name)) users.push(name);
      }
    }
  }
  return usage;
}
