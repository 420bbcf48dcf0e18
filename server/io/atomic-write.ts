/**
 * Atomic file writes: data goes to a unique hidden temp file beside the target, is fsynced, then
 * renamed over the target. Readers see the old file or the whole new one, never a torn one; a
 * failure (disk full, abort) removes the temp file. Concurrent writers of one name each rename a
 * complete file, so the last rename wins and the file is always readable.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ensureParentInside } from '../config/real-path';

export interface AtomicWriteOptions {
  /** when set, `target` is a name relative to this root and must stay inside its real path */
  root?: string;
  /** file mode of the new file (default 0o644 before umask) */
  mode?: number;
}

/** Temp files start with this; listings of user folders skip dot files, so they never show. */
export const TEMP_PREFIX = '.loom-tmp-';

/** A temp file being written; `commit` renames it onto the target, `abort` removes it. Each is idempotent. */
export interface PendingFile {
  readonly target: string;
  readonly tempPath: string;
  readonly handle: FileHandle;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

async function resolveTarget(target: string, opts: AtomicWriteOptions): Promise<string> {
  if (opts.root) return (await ensureParentInside(opts.root, target)).file;
  await fs.mkdir(path.dirname(path.resolve(target)), { recursive: true });
  return path.resolve(target);
}

/** Opens a unique temp file beside `target` (created exclusively, so two writers never share one). */
export async function openAtomic(target: string, opts: AtomicWriteOptions = {}): Promise<PendingFile> {
  const file = await resolveTarget(target, opts);
  // the name is shortened so a target name near the filesystem's limit still has a temp name
  const tempPath = path.join(path.dirname(file), `${TEMP_PREFIX}${path.basename(file).slice(0, 100)}.${crypto.randomBytes(6).toString('hex')}`);
  const handle = await fs.open(tempPath, 'wx', opts.mode ?? 0o644);
  let state: 'open' | 'committed' | 'aborted' = 'open';
  const close = () => handle.close().catch(() => undefined);
  return {
    target: file,
    tempPath,
    handle,
    async commit() {
      if (state !== 'open') {
        if (state === 'aborted') throw new Error(`write of ${path.basename(file)} was aborted`);
        return;
      }
      try {
        await handle.sync();
        await handle.close();
        await fs.rename(tempPath, file);
        state = 'committed';
      } catch (e) {
        state = 'aborted';
        await close();
        await fs.rm(tempPath, { force: true }).catch(() => undefined);
        throw e;
      }
      await syncDir(path.dirname(file));
    },
    async abort() {
      if (state !== 'open') return;
      state = 'aborted';
      await close();
      await fs.rm(tempPath, { force: true }).catch(() => undefined);
    },
  };
}

/** Writes `data` to `target` atomically (temp + fsync + rename); the temp file is removed on failure. */
export async function writeFileAtomic(target: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<string> {
  const pending = await openAtomic(target, opts);
  try {
    await pending.handle.writeFile(data);
  } catch (e) {
    await pending.abort();
    throw e;
  }
  await pending.commit();
  return pending.target;
}

/** Makes the rename itself durable; some filesystems refuse to open a folder, which is harmless. */
async function syncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r').catch(() => null);
  if (!fh) return;
  await fh.sync().catch(() => undefined);
  await fh.close().catch(() => undefined);
}
