/**
 * Serves files under the output folder at /outputs/<path>. The real path must stay inside the
 * output folder's real path (a symlink planted in output/ never serves /etc), only regular files
 * are served, dot files (temp files of writes in progress) are hidden, and file-handle exhaustion
 * answers 503 instead of crashing the process.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { resolveFileInside } from '../config/real-path';
import { internalErrorMessage } from '../api/public-errors';
import { sendError } from './reply';
import { fsErrorStatus } from './upload';

const TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.latent': 'application/octet-stream',
  '.safetensors': 'application/octet-stream',
};

export async function serveOutput(outputDir: string, urlPath: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return sendError(req, res, 405, 'Outputs are read-only (GET).', { headers: { allow: 'GET, HEAD' } });
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    rel = '';
  }
  const notFound = () => sendError(req, res, 404, 'Not found');
  if (!rel || rel.split('/').some((part) => part.startsWith('.'))) return notFound();
  let fh: fs.promises.FileHandle;
  let size: number;
  try {
    const found = await resolveFileInside(outputDir, rel);
    if (found.status !== 'file') return notFound();
    // O_NOFOLLOW: the real path's last component cannot have become a link since it was resolved
    fh = await fs.promises.open(found.real, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      return notFound();
    }
    size = st.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP') return notFound();
    const known = fsErrorStatus(e);
    return sendError(req, res, known?.status ?? 500, known?.message ?? internalErrorMessage(e, `outputs ${rel}`));
  }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(rel).toLowerCase()] ?? 'application/octet-stream',
    'content-length': size,
    'cache-control': 'no-cache',
  });
  if (req.method === 'HEAD') {
    await fh.close();
    res.end();
    return;
  }
  // a client that goes away mid-download only ends this stream; the handle is closed either way
  await pipeline(fh.createReadStream({ start: 0, end: Math.max(0, size - 1) }), res).catch(() => undefined);
  await fh.close().catch(() => undefined);
}
