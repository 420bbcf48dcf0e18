/**
 * ComfyUI's extra_model_paths.yaml (utils/extra_config.py): top-level sections (comfyui, a111, ...), each
 * with an optional `base_path` and `is_default` and folder keys whose value is one folder per line.
 * Read as YAML 1.1 like PyYAML, so `is_default: yes` means true there and here.
 *
 * Where we differ, on purpose: lines are trimmed and a trailing ` # comment` is dropped (ComfyUI's own
 * example writes `models/clip/  # legacy location still supported` inside a block and would look for a
 * folder of that name); `~` is expanded in every line, not only in base_path; a YAML list of folders is
 * accepted too; duplicate keys are an error (PyYAML would silently keep the last); folder keys that are
 * not model folders we list (custom_nodes, a custom node's own folder) are kept as notes, not errors.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { mapLegacyFolder, NON_MODEL_FOLDER_NAMES, type ModelFolderKey } from './model-folders';

export const EXTRA_MODEL_PATHS_FILE = 'extra_model_paths.yaml';

export interface ExtraModelDir {
  folder: ModelFolderKey;
  /** absolute, normalised */
  dir: string;
  isDefault: boolean;
  /** `file:line` it came from */
  source: string;
}

/** Plain data (it travels to worker threads inside LoomPaths). */
export interface ExtraModelPaths {
  files: string[];
  /** in file order, files in the order given */
  dirs: ExtraModelDir[];
  /** keys we do not read, one human-readable line each */
  notes: string[];
}

export class ExtraModelPathsError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}${line === null ? '' : ` line ${line}`}: ${detail}`, options);
    this.name = 'ExtraModelPathsError';
  }
}

export interface ExtraModelPathsOptions {
  /** for `~` and `$VAR` expansion; defaults to process.env (HOME, else os.homedir()) */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Reads and parses one file; a missing or unreadable file is an ExtraModelPathsError too. */
export function loadExtraModelPaths(file: string, opts: ExtraModelPathsOptions = {}): ExtraModelPaths {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot be read (${(e as Error).message})`;
    throw new ExtraModelPathsError(abs, null, `extra model paths ${why}.`, { cause: e });
  }
  return parseExtraModelPaths(text, abs, opts);
}

/** Parses the text of `file` (an absolute path: relative folders without base_path resolve against its folder). */
export function parseExtraModelPaths(text: string, file: string, opts: ExtraModelPathsOptions = {}): ExtraModelPaths {
  const env = opts.env ?? process.env;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, version: '1.1', prettyErrors: false, uniqueKeys: true });
  const lineOf = (node: YamlNode | null | undefined): number | null => (node?.range ? lines.linePos(node.range[0]).line : null);
  const fail = (node: YamlNode | null | undefined, detail: string): never => {
    throw new ExtraModelPathsError(file, lineOf(node), detail);
  };
  const first = doc.errors[0];
  if (first) {
    const duplicate = first.code === 'DUPLICATE_KEY' ? ' (each section and folder key may appear once)' : '';
    // errors found only at the end (an unclosed quote or bracket) point at the last written line, not past it
    const end = text.trimEnd().length;
    const atEnd = first.pos[0] >= end;
    const line = lines.linePos(atEnd ? Math.max(0, end - 1) : first.pos[0]).line;
    throw new ExtraModelPathsError(file, line, `invalid YAML: ${first.message}${duplicate}${atEnd ? ' (found at the end of the file)' : ''}.`);
  }
  const out: ExtraModelPaths = { files: [file], dirs: [], notes: [] };
  const root = resolved(doc, doc.contents);
  if (root === null || (isScalar(root) && root.value === null)) return out;
  if (!isMap(root)) return fail(root, 'expected sections such as "comfyui:" or "a111:" at the top level.');
  const yamlDir = path.dirname(file);

  for (const section of root.items) {
    const sectionName = scalarText(doc, section.key);
    const conf = resolved(doc, section.value as YamlNode | null);
    if (conf === null || (isScalar(conf) && conf.value === null)) continue; // an empty section, as in ComfyUI
    if (!isMap(conf)) return fail(conf, `section "${sectionName}" must hold "key: folder" lines.`);

    let basePath: string | null = null;
    let isDefault = false;
    for (const item of conf.items) {
      const key = scalarText(doc, item.key);
      const value = resolved(doc, item.value as YamlNode | null);
      if (key === 'base_path') {
        if (!isScalar(value) || typeof value.value !== 'string' || value.value.trim() === '')
          return fail(value ?? (item.key as YamlNode), `"${sectionName}.base_path" must be a folder path.`);
        const expanded = expandVars(expandHome(value.value.trim(), env), env);
        basePath = path.resolve(yamlDir, expanded);
      } else if (key === 'is_default') {
        if (!isScalar(value) || typeof value.value !== 'boolean')
          return fail(value ?? (item.key as YamlNode), `"${sectionName}.is_default" must be true or false.`);
        isDefault = value.value;
      }
    }

    for (const item of conf.items) {
      const key = scalarText(doc, item.key);
      if (key === 'base_path' || key === 'is_default') continue;
      const keyNode = item.key as YamlNode;
      const value = resolved(doc, item.value as YamlNode | null);
      const entries = folderLines(value, () =>
        fail(value ?? keyNode, `"${sectionName}.${key}" must be a folder path, one per line, or a list of them.`),
      );
      const folder = mapLegacyFolder(key);
      if (!folder) {
        const kind = NON_MODEL_FOLDER_NAMES.includes(key) ? 'not a model folder' : 'not a model folder Latent Loom lists (a custom node folder?)';
        out.notes.push(`${file} line ${lineOf(keyNode)}: "${sectionName}.${key}" ignored: ${kind}.`);
        continue;
      }
      for (const entry of entries) {
        const expanded = expandHome(entry, env);
        const dir = path.normalize(path.resolve(basePath ?? yamlDir, expanded));
        out.dirs.push({ folder, dir, isDefault, source: `${file}:${lineOf(value ?? keyNode)}` });
      }
    }
  }
  return out;
}

/** Several files in order; notes and folders concatenated. */
export function loadExtraModelPathFiles(files: readonly string[], opts: ExtraModelPathsOptions = {}): ExtraModelPaths {
  const out: ExtraModelPaths = { files: [], dirs: [], notes: [] };
  for (const f of files) {
    const one = loadExtraModelPaths(f, opts);
    out.files.push(...one.files);
    out.dirs.push(...one.dirs);
    out.notes.push(...one.notes);
  }
  return out;
}

function resolved(doc: Document, node: YamlNode | null | undefined): YamlNode | null {
  if (node === null || node === undefined) return null;
  return isAlias(node) ? (node.resolve(doc) ?? null) : node;
}

function scalarText(doc: Document, node: unknown): string {
  const n = resolved(doc, node as YamlNode | null);
  return isScalar(n) ? String(n.value) : String(n);
}

/** A block of lines (ComfyUI's form) or a list; blank lines and trailing ` # comments` dropped. */
function folderLines(value: YamlNode | null, bad: () => never): string[] {
  const raw: string[] = [];
  if (value === null || (isScalar(value) && value.value === null)) return [];
  if (isScalar(value) && typeof value.value === 'string') raw.push(...value.value.split('\n'));
  else if (isSeq(value)) {
    for (const it of value.items) {
      if (!isScalar(it) || typeof it.value !== 'string') return bad();
      raw.push(it.value);
    }
  } else return bad();
  return raw.map((l) => l.replace(/(^|\s)#.*$/, '').trim()).filter((l) => l.length > 0);
}

function expandHome(p: string, env: Readonly<Record<string, string | undefined>>): string {
  if (p !== '~' && !p.startsWith('~/')) return p;
  return path.join(env.HOME ?? os.homedir(), p.slice(1));
}

/** Python's os.path.expandvars: $NAME and ${NAME}; unknown variables are left as written. */
function expandVars(p: string, env: Readonly<Record<string, string | undefined>>): string {
  return p.replace(/\$(\w+|\{[^}]*\})/g, (whole, name: string) => {
    const v = env[name.startsWith('{') ? name.slice(1, -1) : name];
    return v === undefined ? whole : v;
  });
}
