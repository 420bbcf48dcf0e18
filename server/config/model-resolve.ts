/** Model files named by widgets: the folder listing (ComfyUI's folders, extra_model_paths.yaml) and the file a name means. */
import type { ModelFolder } from '../../nodes/types';
import { listModels as listFolder } from './model-list';
import { resolveModelName } from './model-names';
import type { LoomPaths } from './paths';

export type ModelResolution = { ok: true; name: string; path: string } | { ok: false; message: string; suggestions: string[] };

export function listModels(paths: LoomPaths, folder: ModelFolder): string[] {
  return listFolder(paths, folder);
}

/** Exact names, Windows separators, other letter case, a name without its folder or extension, when unambiguous. */
export function resolveModelFile(paths: LoomPaths, folder: ModelFolder, name: string): ModelResolution {
  if (name === '') return { ok: false, message: `no ${folder} file chosen`, suggestions: [] };
  const r = resolveModelName(paths, folder, name);
  return r.ok ? { ok: true, name: r.name, path: r.path } : { ok: false, message: r.message, suggestions: r.suggestions };
}
