/** The folders the user owns, resolved from env vars and CLI flags. Model names resolve inside them only. */
import path from 'node:path';
import fs from 'node:fs';
import { MODEL_FOLDERS } from '../../nodes/types';
import { EXTRA_MODEL_PATHS_FILE, loadExtraModelPathFiles, type ExtraModelPaths } from './extra-model-paths';

export interface LoomPaths {
  models: string;
  input: string;
  output: string;
  workflows: string;
  /** durable queue journal and history */
  state: string;
  /** folders added by extra_model_paths.yaml files (absent when none was read); see model-folders.ts */
  extraModelPaths?: ExtraModelPaths;
}

export interface PathOverrides {
  root?: string;
  modelsDir?: string;
  inputDir?: string;
  outputDir?: string;
  workflowsDir?: string;
  stateDir?: string;
  /** extra_model_paths.yaml files (ComfyUI's format), read after `<root>/extra_model_paths.yaml` */
  extraModelPaths?: string | readonly string[];
}

/**
 * Flags first, then env vars, then the data root. Also reads `<root>/extra_model_paths.yaml` when present and
 * the files named by `extraModelPaths` (else LOOM_EXTRA_MODEL_PATHS, path.delimiter-separated); a named file
 * that is missing or malformed throws ExtraModelPathsError (file and line in the message).
 */
export function resolvePaths(over: PathOverrides = {}, env: Readonly<Record<string, string | undefined>> = process.env): LoomPaths {
  const root = path.resolve(over.root ?? env.LOOM_DATA_DIR ?? process.cwd());
  const pick = (flag: string | undefined, envVar: string | undefined, dflt: string) => path.resolve(root, flag ?? envVar ?? dflt);
  const paths: LoomPaths = {
    models: pick(over.modelsDir, env.LOOM_MODELS_DIR, 'models'),
    input: pick(over.inputDir, env.LOOM_INPUT_DIR, 'input'),
    output: pick(over.outputDir, env.LOOM_OUTPUT_DIR, 'output'),
    workflows: pick(over.workflowsDir, env.LOOM_WORKFLOWS_DIR, 'workflows'),
    state: pick(over.stateDir, env.LOOM_STATE_DIR, '.loom/state'),
  };
  const files = extraModelPathFiles(root, over.extraModelPaths, env);
  if (files.length > 0) paths.extraModelPaths = loadExtraModelPathFiles(files, { env });
  return paths;
}

function extraModelPathFiles(
  root: string,
  flag: string | readonly string[] | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const files: string[] = [];
  const inRoot = path.join(root, EXTRA_MODEL_PATHS_FILE);
  if (fs.statSync(inRoot, { throwIfNoEntry: false })?.isFile()) files.push(inRoot);
  const named = flag === undefined ? (env.LOOM_EXTRA_MODEL_PATHS ?? '').split(path.delimiter) : typeof flag === 'string' ? [flag] : flag;
  for (const f of named) {
    const abs = f.length > 0 ? path.resolve(root, f) : null;
    if (abs && !files.includes(abs)) files.push(abs);
  }
  return files;
}

/** `<models>/<folder>` only; modelDirectories (model-folders.ts) gives every directory ComfyUI reads for a key. */
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

export { MODEL_FOLDERS };
