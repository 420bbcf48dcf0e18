/** Model files named by widgets: which files a folder lists, and the file a name means. */
import fs from 'node:fs';
import path from 'node:path';
import type { ModelFolder } from '../../nodes/types';
import { listModelFiles, safeJoin, type LoomPaths } from './paths';

export type ModelResolution = { ok: true; name: string; path: string } | { ok: false; message: string; suggestions: string[] };

export function listModels(paths: LoomPaths, folder: ModelFolder): string[] {
  return listModelFiles(paths, folder);
}

export function resolveModelFile(paths: LoomPaths, folder: ModelFolder, name: string): ModelResolution {
  const base = path.join(paths.models, folder);
  const full = name ? safeJoin(base, name) : null;
  if (full && fs.existsSync(full)) return { ok: true, name, path: full };
  return { ok: false, message: name ? `"${name}" not found in models/${folder}` : `no ${folder} file chosen`, suggestions: [] };
}
