/**
 * POST /upload/image and POST /upload/mask (server.py image_upload): multipart form with `image` (the file),
 * `subfolder`, `overwrite` ("true"/"1") and `type` (input, the default; output; temp). The file streams into a hidden
 * temp file (size-limited, content sniffed against its extension, hashed), and only when the whole form has arrived is
 * it placed: renamed over the name with overwrite, else linked under the first free name "x (1).png" unless an
 * identical file already has the name (ComfyUI's duplicate check). /upload/mask writes the original image named by
 * `original_ref` with the uploaded image's alpha as its alpha, keeping the original's PNG text chunks.
 * Answers `{name, subfolder, type}`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import busboy from 'busboy';
import sharp from 'sharp';
import { insertTextChunks } from '../../nodes/_io/png';
import { readPngTextChunks } from '../../nodes/workflow/png-text';
import { describeLimit, type Limits } from '../api/limits';
import { internalErrorMessage } from '../api/public-errors';
import type { LoomPaths } from '../config/paths';
import { ensureParentInside, NotAFolderError, PathEscapeError, resolveFileInside } from '../config/real-path';
import { TEMP_PREFIX } from '../io/atomic-write';
import { fsErrorStatus } from '../http/upload';
import { SNIFF_BYTES, sniffUpload, UPLOAD_EXTENSIONS } from '../http/sniff';
import { sendComfyError, sendJson } from './http';
import { fileRoot, isFileType, type FileType } from './files';

class UploadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'UploadError';
  }
}

interface Received {
  tempPath: string;
  filename: string;
  bytes: number;
  sha256: string;
  head: Buffer;
}

const MASK_MAX_PIXELS = 64 * 1024 * 1024;

/** Parses the form; the file lands in a temp file under `stageDir`. Rejects with UploadError for what the client can fix. */
function receiveForm(
  req: http.IncomingMessage,
  stageDir: string,
  limits: Limits,
): Promise<{ fields: Record<string, string>; file: Received | null }> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fields: 16, fieldSize: 256 * 1024, parts: 24, fileSize: limits.upload.value } });
    } catch {
      return reject(new UploadError(400, 'Send the image as multipart/form-data with an "image" file field.'));
    }
    const fields: Record<string, string> = {};
    let file: Received | null = null;
    let writing: Promise<void> = Promise.resolve();
    let failed: Error | null = null;
    const tempFiles: string[] = [];
    const fail = (e: Error) => {
      if (failed) return;
      failed = e;
      req.unpipe(bb);
      req.resume();
      void writing
        .finally(() => Promise.all(tempFiles.map((t) => fs.rm(t, { force: true }))))
        .then(
          () => reject(e),
          () => reject(e),
        );
    };
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(new UploadError(413, `The form field "${name}" is too long.`));
      fields[name] = value;
    });
    bb.on('file', (name, stream, info) => {
      if (name !== 'image' || file || failed) {
        stream.resume();
        return;
      }
      const tempPath = path.join(stageDir, `${TEMP_PREFIX}upload.${crypto.randomBytes(6).toString('hex')}`);
      tempFiles.push(tempPath);
      const hash = crypto.createHash('sha256');
      const received: Received = { tempPath, filename: info.filename ?? '', bytes: 0, sha256: '', head: Buffer.alloc(0) };
      file = received;
      writing = (async () => {
        await fs.mkdir(stageDir, { recursive: true });
        const fh = await fs.open(tempPath, 'wx', 0o644);
        try {
          for await (const chunk of stream as AsyncIterable<Buffer>) {
            if (failed) break;
            received.bytes += chunk.length;
            if (received.head.length < SNIFF_BYTES)
              received.head = Buffer.concat([received.head, chunk.subarray(0, SNIFF_BYTES)]).subarray(0, SNIFF_BYTES);
            hash.update(chunk);
            await fh.write(chunk);
          }
          if ((stream as unknown as { truncated?: boolean }).truncated)
            throw new UploadError(413, `The upload is too large: ${describeLimit('an upload', limits.upload, 'bytes')}.`);
          await fh.sync();
          received.sha256 = hash.digest('hex');
        } finally {
          await fh.close();
        }
      })();
      writing.catch((e: unknown) => fail(e instanceof Error ? e : new Error(String(e))));
    });
    bb.on('partsLimit', () => fail(new UploadError(413, 'The form has too many parts.')));
    bb.on('filesLimit', () => fail(new UploadError(400, 'Send one image per upload.')));
    bb.on('fieldsLimit', () => fail(new UploadError(413, 'The form has too many fields.')));
    bb.on('error', (e: unknown) => fail(new UploadError(400, `The form could not be read: ${e instanceof Error ? e.message : String(e)}`)));
    bb.on('close', () => {
      void writing.then(
        () => {
          if (!failed) resolve({ fields, file });
        },
        () => undefined,
      );
    });
    req.on('aborted', () => fail(new UploadError(400, 'The client stopped sending the upload.')));
    req.pipe(bb);
  });
}

const sha256Of = async (file: string) =>
  crypto
    .createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');

/**
 * Puts the temp file at dir/name: replaced when `overwrite`; else under the first name not taken by a different file
 * (link() fails on an existing name, so two concurrent uploads never take the same one). Returns the name used.
 */
async function place(tempPath: string, dir: string, name: string, overwrite: boolean, sha256: string): Promise<string> {
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  if (overwrite) {
    await moveInto(tempPath, path.join(dir, name));
    return name;
  }
  for (let i = 0; i < 10_000; i++) {
    const candidate = i === 0 ? name : `${stem} (${i})${ext}`;
    const target = path.join(dir, candidate);
    try {
      await fs.link(tempPath, target);
      await fs.rm(tempPath, { force: true });
      return candidate;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EXDEV' || code === 'EPERM' || code === 'ENOTSUP') {
        // no hard links here (another filesystem): an exclusive copy keeps "never two uploads on one name"
        try {
          await fs.copyFile(tempPath, target, fs.constants.COPYFILE_EXCL);
          await fs.rm(tempPath, { force: true });
          return candidate;
        } catch (c) {
          if ((c as NodeJS.ErrnoException).code !== 'EEXIST') throw c;
        }
      } else if (code !== 'EEXIST') throw e;
      const st = await fs.stat(target).catch(() => null);
      if (st?.isFile() && (await sha256Of(target)) === sha256) {
        await fs.rm(tempPath, { force: true });
        return candidate;
      }
    }
  }
  throw new UploadError(409, `No free name for "${name}" in that folder.`);
}

async function moveInto(tempPath: string, target: string): Promise<void> {
  try {
    await fs.rename(tempPath, target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await fs.copyFile(tempPath, target);
    await fs.rm(tempPath, { force: true });
  }
}

/** The original image of /upload/mask with the mask's alpha; the original's PNG text chunks are kept. */
async function withMaskAlpha(paths: LoomPaths, originalRef: string | undefined, maskBytes: Buffer): Promise<Buffer> {
  let ref: unknown;
  try {
    ref = JSON.parse(originalRef ?? '');
  } catch {
    throw new UploadError(400, '"original_ref" must be JSON: {"filename": "...", "subfolder": "", "type": "input"}.');
  }
  const r = ref as { filename?: unknown; subfolder?: unknown; type?: unknown } | null;
  if (!r || typeof r.filename !== 'string' || r.filename === '') throw new UploadError(400, '"original_ref" has no filename.');
  const annotatedType = /^(.*) \[(input|output|temp)\]$/.exec(r.filename);
  const filename = annotatedType ? annotatedType[1] : r.filename;
  const type = annotatedType?.[2] ?? (typeof r.type === 'string' ? r.type : 'output');
  if (filename.startsWith('/') || filename.includes('..')) throw new UploadError(400, `"${filename}" is not a plain file name.`);
  if (!isFileType(type)) throw new UploadError(400, `original_ref type "${type}" is not one of input, output, temp.`);
  const sub = typeof r.subfolder === 'string' ? r.subfolder : '';
  const rel = [sub, filename].filter(Boolean).join('/');
  const found = await resolveFileInside(fileRoot(paths, type), rel);
  if (found.status === 'outside') throw new UploadError(403, `original_ref "${rel}" is outside the ${type} folder.`);
  if (found.status !== 'file') throw new UploadError(404, `original_ref "${rel}" was not found in the ${type} folder.`);
  const original = await fs.readFile(found.real);
  try {
    const base = await sharp(original, { limitInputPixels: MASK_MAX_PIXELS, failOn: 'error' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const alpha = await sharp(maskBytes, { limitInputPixels: MASK_MAX_PIXELS, failOn: 'error' })
      .ensureAlpha()
      .extractChannel(3)
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (alpha.info.width !== base.info.width || alpha.info.height !== base.info.height) {
      throw new UploadError(
        400,
        `The mask is ${alpha.info.width}x${alpha.info.height} but the original image is ${base.info.width}x${base.info.height}.`,
      );
    }
    const png = await sharp(base.data, { raw: { width: base.info.width, height: base.info.height, channels: base.info.channels as 3 } })
      .joinChannel(alpha.data, { raw: { width: alpha.info.width, height: alpha.info.height, channels: 1 } })
      .png({ compressionLevel: 4 })
      .toBuffer();
    let text: Record<string, string> = {};
    try {
      text = readPngTextChunks(original);
    } catch {
      // not a PNG: nothing to carry over
    }
    return Object.keys(text).length > 0 ? insertTextChunks(png, Object.entries(text)) : png;
  } catch (e) {
    if (e instanceof UploadError) throw e;
    throw new UploadError(422, `The mask could not be applied: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

export async function uploadImage(
  paths: LoomPaths,
  limits: Limits,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  mask: boolean,
): Promise<void> {
  if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) {
    return sendComfyError(
      res,
      400,
      'invalid_request',
      'Send the image as multipart/form-data with an "image" file field (and optional "subfolder", "overwrite", "type").',
    );
  }
  if (Number(req.headers['content-length'] ?? 0) > limits.upload.value + 64 * 1024) {
    res.setHeader('connection', 'close');
    return sendComfyError(res, 413, 'request_too_large', `The upload is too large: ${describeLimit('an upload', limits.upload, 'bytes')}.`);
  }
  const stageDir = paths.input;
  let received: { fields: Record<string, string>; file: Received | null };
  try {
    received = await receiveForm(req, stageDir, limits);
  } catch (e) {
    if (e instanceof UploadError) {
      res.setHeader('connection', 'close');
      return sendComfyError(res, e.status, 'invalid_upload', e.message);
    }
    const known = fsErrorStatus(e);
    if (known) return sendComfyError(res, known.status, 'upload_failed', known.message);
    return sendComfyError(res, 500, 'upload_failed', internalErrorMessage(e, `upload ${mask ? 'mask' : 'image'}`));
  }
  const { fields, file } = received;
  try {
    if (!file || file.bytes === 0) throw new UploadError(400, 'No "image" file in the form.');
    const name = file.filename;
    const format = UPLOAD_EXTENSIONS[path.extname(name).toLowerCase()];
    if (!name || name.includes('/') || name.includes('\\') || name.startsWith('.') || name.includes('\0')) {
      throw new UploadError(400, `"${name}" is not a plain file name (no folders, no dot files); use "subfolder" for a folder.`);
    }
    if (!format) throw new UploadError(400, `"${name}" must end in ${Object.keys(UPLOAD_EXTENSIONS).join(', ')}.`);
    const sniffed = sniffUpload(file.head);
    if (sniffed !== format && !mask) {
      const what =
        sniffed === 'short' ? `only ${file.bytes} bytes` : sniffed ? `a ${sniffed.toUpperCase()} file` : 'not a PNG, JPEG, WebP or latent file';
      throw new UploadError(415, `"${name}" should hold a ${format.toUpperCase()} file but its content is ${what}.`);
    }
    const type: FileType = fields.type && isFileType(fields.type) ? fields.type : 'input';
    if (fields.type && !isFileType(fields.type)) throw new UploadError(400, `type "${fields.type}" is not one of input, output, temp.`);
    const subfolder = (fields.subfolder ?? '').replace(/\\/g, '/').replace(/^\/+|\/+$/g, '');
    if (subfolder.split('/').some((p) => p === '..' || p.startsWith('.')))
      throw new UploadError(400, `subfolder "${subfolder}" must stay inside the ${type} folder (no "..", no dot folders).`);
    const overwrite = fields.overwrite === 'true' || fields.overwrite === '1';
    const root = fileRoot(paths, type);
    let dir: string;
    try {
      dir = (await ensureParentInside(root, [subfolder, name].filter(Boolean).join('/'))).dir;
    } catch (e) {
      if (e instanceof PathEscapeError) throw new UploadError(403, `subfolder "${subfolder}" leads outside the ${type} folder.`);
      if (e instanceof NotAFolderError) throw new UploadError(409, e.message);
      throw e;
    }
    let sha256 = file.sha256;
    if (mask) {
      const composed = await withMaskAlpha(paths, fields.original_ref, await fs.readFile(file.tempPath));
      await fs.writeFile(file.tempPath, composed);
      sha256 = crypto.createHash('sha256').update(composed).digest('hex');
    }
    const placed = await place(file.tempPath, dir, name, overwrite, sha256);
    sendJson(res, 200, { name: placed, subfolder, type });
  } catch (e) {
    if (file) await fs.rm(file.tempPath, { force: true }).catch(() => undefined);
    if (e instanceof UploadError) return sendComfyError(res, e.status, 'invalid_upload', e.message);
    const known = fsErrorStatus(e);
    if (known) return sendComfyError(res, known.status, 'upload_failed', known.message);
    return sendComfyError(res, 500, 'upload_failed', internalErrorMessage(e, `upload ${mask ? 'mask' : 'image'}`));
  }
}
