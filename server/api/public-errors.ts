/**
 * What an error may tell a client: no absolute server paths (folders become their names, e.g.
 * `models/checkpoints/x.ckpt`), no raw stack-overflow text, and internal errors only as a
 * reference to the server log line that holds the detail.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { LoomPaths } from '../config/paths';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** Known folders, longest first, with the label that replaces each. */
function labels(paths?: Partial<LoomPaths>): [string, string][] {
  const out: [string, string][] = [];
  const add = (dir: string | undefined, label: string) => {
    if (dir && path.isAbsolute(dir) && dir !== '/') out.push([dir.replace(/\/+$/, ''), label]);
  };
  add(paths?.models, 'models');
  add(paths?.input, 'input');
  add(paths?.output, 'output');
  add(paths?.workflows, 'workflows');
  add(paths?.state, 'state');
  add(REPO_ROOT, '<server>');
  add(os.tmpdir(), '<tmp>');
  add(os.homedir(), '~');
  return out.sort((a, b) => b[0].length - a[0].length);
}

// an absolute path: a slash after a start, space, quote or bracket, then at least one more segment
const ABSOLUTE = /(^|[\s'"`(=[])(\/(?:[^\s'"`()[\]/:]+\/)+[^\s'"`()[\]:,;]*)/g;
const WINDOWS = /(^|[\s'"`(=[])([A-Za-z]:\\(?:[^\s'"`()\\:]+\\)*[^\s'"`()\\:,;]*)/g;

/** Replaces absolute paths in `message`: known folders by their name, anything else by its last segment. */
export function scrubPaths(message: string, paths?: Partial<LoomPaths>): string {
  let out = message;
  for (const [dir, label] of labels(paths)) out = out.split(`${dir}/`).join(`${label}/`).split(dir).join(label);
  const tail = (p: string, sep: string) => {
    const parts = p.split(sep).filter(Boolean);
    return parts.length > 0 ? `…${sep}${parts[parts.length - 1]}` : p;
  };
  return out
    .replace(ABSOLUTE, (_, pre: string, p: string) => `${pre}${tail(p, '/')}`)
    .replace(WINDOWS, (_, pre: string, p: string) => `${pre}${tail(p, '\\')}`);
}

export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack size/i.test(e.message);
}

/**
 * The message for a client about an error the server did not expect: logged in full with a
 * reference, answered as one line naming the reference.
 */
export function internalErrorMessage(e: unknown, where: string, log: (line: string) => void = (l) => console.error(l)): string {
  const ref = crypto.randomBytes(4).toString('hex');
  const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
  log(`[${ref}] ${where}: ${detail}`);
  if (isStackOverflow(e)) return `The request is nested too deeply to process (ref ${ref}).`;
  return `Internal error (ref ${ref}; details are in the server log).`;
}
