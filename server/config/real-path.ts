/**
 * Real-path checks for the folders the user owns. `safeJoin` stops `..` in a name; these stop
 * symlinks planted inside a root from leading out of it (input/, output/, workflows/), and keep
 * model links to regular files only (models may live on other disks, devices never).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { safeJoin } from './paths';

/** A name refused because it leaves its root, by `..` or through a symlink. */
export class PathEscapeError extends Error {
  constructor(
    readonly name: string,
    readonly root: string,
  ) {
    super(`"${name}" leaves the ${path.basename(root)}/ folder`);
    this.name = 'PathEscapeError';
  }
}

/** A name whose parent is a file (e.g. `q.png/r.png` when `q.png` exists). */
export class NotAFolderError extends Error {
  constructor(
    readonly name: string,
    readonly component: string,
  ) {
    super(`"${component}" is a file, so "${name}" cannot be created inside it`);
    this.name = 'NotAFolderError';
  }
}

/** true when `p` is `root` itself or lies below it (both already absolute and normalised). */
export function isWithin(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The root's own real path; a root that does not exist yet is taken as written. */
export async function realRoot(root: string): Promise<string> {
  return fs.realpath(root).catch(() => path.resolve(root));
}

export type Resolved =
  | { status: 'file'; path: string; real: string; size: number }
  | { status: 'missing' | 'outside' | 'not-a-file'; path: string | null };

/**
 * Resolves `name` under `root` for reading: its real path must stay inside the root's real path
 * and be a regular file. Never throws for a bad name or a broken link.
 */
export async function resolveFileInside(root: string, name: string): Promise<Resolved> {
  const full = safeJoin(root, name);
  if (!full) return { status: 'outside', path: null };
  let real: string;
  try {
    real = await fs.realpath(full);
  } catch {
    return { status: 'missing', path: full };
  }
  if (!isWithin(await realRoot(root), real)) return { status: 'outside', path: full };
  const st = await fs.stat(real).catch(() => null);
  if (!st) return { status: 'missing', path: full };
  if (!st.isFile()) return { status: 'not-a-file', path: full };
  return { status: 'file', path: full, real, size: st.size };
}

/**
 * Creates (if needed) the folder that will hold `name` under `root` and returns its real path.
 * Every existing component is resolved: one that leaves the root throws PathEscapeError, one
 * that is a file throws NotAFolderError. New folders are created only inside the real root.
 */
export async function ensureParentInside(root: string, name: string): Promise<{ dir: string; file: string }> {
  const full = safeJoin(root, name);
  if (!full) throw new PathEscapeError(name, root);
  await fs.mkdir(root, { recursive: true });
  const rootReal = await realRoot(root);
  const parts = path.relative(root, path.dirname(full)).split(path.sep).filter(Boolean);
  let dir = rootReal;
  for (let i = 0; i < parts.length; i++) {
    const next = path.join(dir, parts[i]);
    const st = await fs.lstat(next).catch(() => null);
    if (!st) {
      await fs.mkdir(next).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e; // created meanwhile by a concurrent request: checked below
      });
    } else if (!st.isDirectory() && !st.isSymbolicLink()) {
      throw new NotAFolderError(name, parts.slice(0, i + 1).join('/'));
    }
    const real = await fs.realpath(next);
    if (!isWithin(rootReal, real)) throw new PathEscapeError(name, root);
    if (!(await fs.stat(real)).isDirectory()) throw new NotAFolderError(name, parts.slice(0, i + 1).join('/'));
    dir = real;
  }
  return { dir, file: path.join(dir, path.basename(full)) };
}

/**
 * A model file: the name must stay inside its folder by name (no `..`), and whatever it links to
 * must be a regular file (links to other disks are fine; links to devices, FIFOs or folders are not).
 */
export async function resolveModelFile(folder: string, name: string): Promise<Resolved> {
  const full = safeJoin(folder, name);
  if (!full) return { status: 'outside', path: null };
  const st = await fs.stat(full).catch(() => null);
  if (!st) return { status: 'missing', path: full };
  if (!st.isFile()) return { status: 'not-a-file', path: full };
  return { status: 'file', path: full, real: await fs.realpath(full), size: st.size };
}
