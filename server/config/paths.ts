/** The folders the user owns, resolved from env vars and CLI flags. Model names resolve inside them only. */
import path from 'node:path';
import fs from 'node:fs';
import { MODEL_FOLDERS, type ModelFolder } from '../../nodes/types';

export interface LoomPaths {
  models: string;
  input: string;
  output: string;
  workflows: string;
  /** durable queue journal and history */
  state: string;
}

export interface PathOverrides {
  root?: string;
  modelsDir?: string;
  inputDir?: string;
  outputDir?: string;
  workflowsDir?: string;
  stateDir?: string;
}

export function resolvePaths(over: PathOverrides = {}, env: Readonly<Record<string, string | undefined>> = process.env): LoomPaths {
  const root = path.resolve(over.root ?? env.LOOM_DATA_DIR ?? process.cwd());
  const pick = (flag: string | undefined, envVar: string | undefined, dflt: string) => path.resolve(root, flag ?? envVar ?? dflt);
  return {
    models: pick(over.modelsDir, env.LOOM_MODELS_DIR, 'models'),
    input: pick(over.inputDir, env.LOOM_INPUT_DIR, 'input'),
    output: pick(over.outputDir, env.LOOM_OUTPUT_DIR, 'output'),
    workflows: pick(over.workflowsDir, env.LOOM_WORKFLOWS_DIR, 'workflows'),
    state: pick(over.stateDir, env.LOOM_STATE_DIR, '.loom/state'),
  };
}

export function modelFolder(paths: LoomPaths, folder: ModelFolder): string {
  return path.join(paths.models, folder);
}

/**
 * Joins a user-supplied relative name onto a base folder, refusing anything that escapes it
 * (absolute paths, `..`, NUL bytes). Returns null when refused.
 */
export function safeJoin(base: string, name: string): string | null {
  if (name.length === 0 || name.includes('\0') || path.isAbsolute(name) || /^[a-zA-Z]:/.test(name)) return null;
  const full = path.resolve(base, name);
  const rel = path.relative(base, full);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return full;
}

export const MODEL_EXTENSIONS = ['.safetensors', '.ckpt', '.pt', '.pth', '.bin', '.onnx'];

/** Every model file in a folder, as names relative to it (forward slashes), recursively. */
export function listModelFiles(paths: LoomPaths, folder: ModelFolder): string[] {
  const base = modelFolder(paths, folder);
  const found: string[] = [];
  const walk = (dir: string, prefix: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      // symlinked models are common (one copy shared between tools): follow links to files, not to folders
      const isFile = e.isFile() || (e.isSymbolicLink() && fs.statSync(path.join(dir, e.name), { throwIfNoEntry: false })?.isFile() === true);
      if (e.isDirectory()) walk(path.join(dir, e.name), `${prefix}${e.name}/`);
      else if (isFile && MODEL_EXTENSIONS.some((x) => e.name.toLowerCase().endsWith(x))) found.push(prefix + e.name);
    }
  };
  walk(base, '');
  return found.sort();
}

export { MODEL_FOLDERS };
