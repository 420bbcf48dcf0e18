/**
 * PUT /api/inputs/<name>: stores the raw request body in input/. The body streams into a unique
 * hidden temp file that is renamed onto the name only once complete and sniffed (PNG, JPEG, WebP
 * or .latent, matching the extension), so concurrent uploads of one name never mix and an aborted
 * one leaves neither a file nor an open descriptor. The name's real path must stay inside input/.
 */
import type http from 'node:http';
import path from 'node:path';
import { NotAFolderError, PathEscapeError } from '../config/real-path';
import { safeJoin } from '../config/paths';
import { describeLimit, type Limit } from '../api/limits';
import { internalErrorMessage, scrubPaths } from '../api/public-errors';
import { openAtomic, type PendingFile } from '../io/atomic-write';
import { HttpError } from './body';
import { sendError } from './reply';
import { UPLOAD_PREFIX } from './routes';
import { SNIFF_BYTES, sniffUpload, UPLOAD_EXTENSIONS } from './sniff';

export { UPLOAD_PREFIX };

class ClientGone extends Error {}

/** Maps filesystem failures to what the client can act on; null for the unexpected. */
export function fsErrorStatus(e: unknown): { status: number; message: string } | null {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return { status: 507, message: 'The disk is full; nothing was stored.' };
  if (code === 'EMFILE' || code === 'ENFILE') return { status: 503, message: 'The server is out of file handles; try again shortly.' };
  if (code === 'ENAMETOOLONG') return { status: 400, message: 'The file name is too long for the filesystem.' };
  return null;
}

/** Feeds each chunk to `onChunk`, one at a time (the request is paused while a chunk is written). */
function receive(req: http.IncomingMessage, onChunk: (chunk: Buffer) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (e?: unknown) => {
      if (settled) return;
      settled = true;
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (e) reject(e);
      else resolve();
    };
    // 'end' may come while the last chunk is still being written: it waits for this chain
    let writing: Promise<void> = Promise.resolve();
    const onData = (chunk: Buffer) => {
      req.pause();
      writing = writing
        .then(() => onChunk(chunk))
        .then(() => {
          if (!settled) req.resume();
        });
      writing.catch(finish);
    };
    const onEnd = () => void writing.then(() => finish(), finish);
    const onError = () => finish(new ClientGone());
    const onClose = () => {
      if (!req.complete) finish(new ClientGone());
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

export async function handleUpload(inputDir: string, limit: Limit, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method !== 'PUT')
    return sendError(req, res, 405, 'Use PUT /api/inputs/<name> with the file as the body.', { close: true, headers: { allow: 'PUT' } });
  let name: string;
  try {
    name = decodeURIComponent((req.url ?? '').slice(UPLOAD_PREFIX.length).split('?')[0]);
  } catch {
    return sendError(req, res, 400, 'The file name is not valid URL encoding.', { close: true });
  }
  const format = UPLOAD_EXTENSIONS[path.extname(name).toLowerCase()];
  const hidden = name.split('/').some((part) => part.startsWith('.'));
  if (!safeJoin(inputDir, name) || !format || hidden) {
    return sendError(
      req,
      res,
      400,
      `The name must be a relative file name (no "..", no dot files) ending in ${Object.keys(UPLOAD_EXTENSIONS).join(', ')}.`,
      { close: true },
    );
  }
  const tooLarge = `The upload is too large: ${describeLimit('an upload', limit, 'bytes')}.`;
  if (Number(req.headers['content-length'] ?? 0) > limit.value) return sendError(req, res, 413, tooLarge, { close: true });

  let pending: PendingFile;
  try {
    pending = await openAtomic(name, { root: inputDir });
  } catch (e) {
    if (e instanceof PathEscapeError)
      return sendError(req, res, 403, `"${name}" leads outside the input folder (through a symbolic link).`, { close: true });
    if (e instanceof NotAFolderError) return sendError(req, res, 409, e.message, { close: true });
    const known = fsErrorStatus(e);
    if (known) return sendError(req, res, known.status, known.message, { close: true });
    return sendError(req, res, 500, internalErrorMessage(e, `upload ${name}`), { close: true });
  }

  let bytes = 0;
  let head = Buffer.alloc(0);
  const check = (final: boolean) => {
    const found = sniffUpload(head);
    if (found === 'short' && !final) return false;
    if (found !== format) {
      const what = found === 'short' ? `only ${head.length} bytes` : found ? `a ${found.toUpperCase()} file` : 'not a PNG, JPEG, WebP or latent file';
      throw new HttpError(415, `"${name}" should hold a ${format.toUpperCase()} file but its content is ${what}.`);
    }
    return true;
  };
  let sniffed = false;
  try {
    await receive(req, async (chunk) => {
      bytes += chunk.length;
      if (bytes > limit.value) throw new HttpError(413, tooLarge);
      if (!sniffed) {
        head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES)]).subarray(0, SNIFF_BYTES);
        sniffed = check(false);
      }
      await pending.handle.write(chunk);
    });
    if (!sniffed) check(true);
    await pending.commit();
  } catch (e) {
    await pending.abort();
    if (e instanceof ClientGone) return; // nobody to answer; temp file and descriptor are gone
    if (e instanceof HttpError) return sendError(req, res, e.status, e.message, { close: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR' || code === 'ENOTEMPTY') return sendError(req, res, 409, `"${name}" is a folder in input/.`, { close: true });
    const known = fsErrorStatus(e);
    if (known) return sendError(req, res, known.status, known.message, { close: true });
    return sendError(req, res, 500, scrubPaths(internalErrorMessage(e, `upload ${name}`)), { close: true });
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name, bytes }));
}
