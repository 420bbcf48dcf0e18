/**
 * Listing the model files of a folder key across all its directories (models dir, extra_model_paths.yaml).
 *
 * Walk rules: recursive; hidden entries (leading '.') skipped; only accepted extensions; symlinks followed
 * to regular files (dangling links, links to devices or pipes skipped) and to directories, each real
 * directory walked at most once per root so link loops end; names relative to their root with '/'.
 * A name found in two roots is listed once, the first root in lookup order wins (ComfyUI's get_full_path).
 *
 * Caching: a ModelListCache keeps one listing per (key, directory list). It is reused while every root
 * and every directory walked still has the same mtime (nanoseconds) and inode, which one stat per
 * directory checks; adding, removing or renaming a file, or retargeting a link, changes its directory's
 * mtime. Not seen: edits behind a link to a file (its target's folder is not watched) and filesystems
 * with coarse mtimes (a change within the same tick). `invalidate()` drops everything; resolveModelName
 * also re-lists once when the file it found has gone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { acceptedExtension, folderKey, modelDirectories, type ModelFolderKey, type ModelFolderName } from './model-folders';
import type { LoomPaths } from './paths';

export interface ModelEntry {
  /** relative to its root, '/' separators: what workflows write */
  name: string;
  /** the file as found under the root (links not resolved) */
  path: string;
  /** the root directory it was found in */
  root: string;
}

/** One listing, sorted by name; the lookup tables for resolveModelName are built lazily on it. */
export interface ModelListing {
  readonly key: ModelFolderKey;
  readonly roots: readonly string[];
  readonly entries: readonly ModelEntry[];
  readonly byName: ReadonlyMap<string, ModelEntry>;
}

type Stamp = string | null; // `${ino}:${mtimeNs}`, null when the directory did not exist

interface CachedListing {
  listing: ModelListing;
  stamps: Map<string, Stamp>;
}

export class ModelListCache {
  private readonly listings = new Map<string, CachedListing>();

  /** The current listing for a key, re-walked only when a directory changed (or `fresh` asks for it). */
  get(paths: Pick<LoomPaths, 'models' | 'extraModelPaths'>, name: ModelFolderName, opts: { fresh?: boolean } = {}): ModelListing {
    const key = folderKey(name);
    const roots = modelDirectories(paths, key);
    const cacheKey = `${key}\0${roots.join('\0')}`;
    const hit = this.listings.get(cacheKey);
    if (hit && !opts.fresh && stampsHold(hit.stamps)) return hit.listing;
    const fresh = walkRoots(key, roots);
    this.listings.set(cacheKey, fresh);
    return fresh.listing;
  }

  invalidate(): void {
    this.listings.clear();
  }
}

/** Shared by listModels and resolveModelName when no cache is passed. */
export const defaultModelListCache = new ModelListCache();

/** Every listed file name of a key, sorted, each once. */
export function listModels(
  paths: Pick<LoomPaths, 'models' | 'extraModelPaths'>,
  key: ModelFolderName,
  cache: ModelListCache = defaultModelListCache,
): string[] {
  return cache.get(paths, key).entries.map((e) => e.name);
}

/** Like listModels, with where each file is. */
export function listModelEntries(
  paths: Pick<LoomPaths, 'models' | 'extraModelPaths'>,
  key: ModelFolderName,
  cache: ModelListCache = defaultModelListCache,
): ModelEntry[] {
  return [...cache.get(paths, key).entries];
}

function stampOf(dir: string): Stamp {
  const st = statOrNull(dir, true);
  return st?.isDirectory() ? `${st.ino}:${st.mtimeNs}` : null;
}

/** stat following links; null when missing, dangling, looping (ELOOP) or not permitted */
export function statOrNull(file: string, bigint: true): fs.BigIntStats | null;
export function statOrNull(file: string, bigint?: false): fs.Stats | null;
export function statOrNull(file: string, bigint = false): fs.Stats | fs.BigIntStats | null {
  try {
    return fs.statSync(file, { bigint, throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

function stampsHold(stamps: ReadonlyMap<string, Stamp>): boolean {
  for (const [dir, stamp] of stamps) if (stampOf(dir) !== stamp) return false;
  return true;
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function walkRoots(key: ModelFolderKey, roots: readonly string[]): CachedListing {
  const stamps = new Map<string, Stamp>();
  const byName = new Map<string, ModelEntry>();
  for (const root of roots) {
    stamps.set(root, stampOf(root));
    const seen = new Set<string>(); // real directories already walked under this root
    const walk = (dir: string, prefix: string) => {
      let names: fs.Dirent[];
      try {
        const real = fs.realpathSync(dir);
        if (seen.has(real)) return;
        seen.add(real);
        // stamp before reading, so a file added meanwhile changes the stamp rather than going unseen
        if (dir !== root) stamps.set(dir, stampOf(dir));
        names = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return; // missing or unreadable: listed as empty, like ComfyUI
      }
      names.sort((a, b) => byCodeUnit(a.name, b.name));
      for (const e of names) {
        if (e.name.startsWith('.')) continue;
        const full = path.join(dir, e.name);
        let isDir = e.isDirectory();
        let isFile = e.isFile();
        if (e.isSymbolicLink()) {
          const target = statOrNull(full);
          isDir = target?.isDirectory() === true;
          isFile = target?.isFile() === true;
        }
        if (isDir) walk(full, `${prefix}${e.name}/`);
        else if (isFile && acceptedExtension(key, e.name) !== null) {
          const name = prefix + e.name;
          if (!byName.has(name)) byName.set(name, { name, path: full, root });
        }
      }
    };
    walk(root, '');
  }
  const entries = [...byName.values()].sort((a, b) => byCodeUnit(a.name, b.name));
  return { listing: { key, roots: [...roots], entries, byName }, stamps };
}
