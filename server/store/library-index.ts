/**
 * The workflow library index: name, title, node count, size and time of every saved workflow, kept in the
 * store so listing does not parse every file. The folder stays the truth: each listing reconciles the index
 * with it (files changed since they were indexed are read again, vanished ones dropped), so files edited or
 * copied in by hand show up. With several API processes the folder is shared like the output folder.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { isTransientStoreError } from './errors';
import type { JobStore, LibraryEntry } from './types';

async function summarize(file: string): Promise<{ title: string | null; nodeCount: number }> {
  try {
    const wf = JSON.parse(await fs.readFile(file, 'utf8')) as { meta?: { title?: unknown }; nodes?: unknown };
    const title = typeof wf.meta?.title === 'string' ? wf.meta.title : null;
    const nodeCount = wf.nodes && typeof wf.nodes === 'object' ? Object.keys(wf.nodes).length : 0;
    return { title, nodeCount };
  } catch {
    return { title: null, nodeCount: 0 }; // unreadable: listed, and loading it says why
  }
}

export async function syncLibraryIndex(store: JobStore, dir: string): Promise<LibraryEntry[]> {
  const dirents = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  const indexed = new Map((await store.libraryList()).map((e) => [e.name, e]));
  const out: LibraryEntry[] = [];
  // the index is a cache: a store that cannot be written (disk full) still gets an accurate listing
  const write = async (op: () => Promise<void>) =>
    op().catch((e: unknown) => {
      if (!isTransientStoreError(e)) throw e;
    });
  for (const d of dirents) {
    if (!d.isFile() || !d.name.endsWith('.json')) continue;
    const file = path.join(dir, d.name);
    const st = await fs.stat(file).catch(() => null);
    if (!st) continue;
    const name = d.name.slice(0, -'.json'.length);
    const modified = st.mtime.toISOString();
    let entry = indexed.get(name);
    indexed.delete(name);
    if (!entry || entry.bytes !== st.size || entry.modified !== modified) {
      const e: LibraryEntry = { name, ...(await summarize(file)), bytes: st.size, modified };
      await write(() => store.libraryUpsert(e));
      entry = e;
    }
    out.push(entry);
  }
  for (const gone of indexed.keys()) await write(() => store.libraryDelete(gone));
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
