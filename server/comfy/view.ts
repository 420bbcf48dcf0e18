/**
 * GET /view?filename=&subfolder=&type= (server.py view_image): a file from output/, input/ or the temp (preview)
 * folder, served by the same hardened file server as /outputs (real path kept inside the root, no dot files, no links
 * out). `preview=webp;90` / `preview=jpeg;80` re-encodes an image smaller; `channel=rgb` drops alpha, `channel=a`
 * returns the alpha alone, as ComfyUI does. Conversions run in sharp (libvips thread pool, pixel-count limited).
 */
import fs from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import sharp from 'sharp';
import type { LoomPaths } from '../config/paths';
import { resolveFileInside } from '../config/real-path';
import { serveOutput } from '../http/outputs';
import { sendError } from '../http/reply';
import { fileRoot, isFileType, type FileType } from './files';
import { requestUrl } from '../http/request-url';

/** Images this endpoint converts; anything bigger than this many pixels is refused before decoding. */
const CONVERTIBLE = new Set(['.png', '.jpg', '.jpeg', '.webp']);
const MAX_PIXELS = 64 * 1024 * 1024;
const MAX_CONVERT_BYTES = 256 * 1024 * 1024;

/** "name.png [output]": ComfyUI's annotated file names pick their folder. */
function annotated(name: string): { name: string; type: FileType | null } {
  const m = /^(.*) \[(input|output|temp)\]$/.exec(name);
  return m ? { name: m[1], type: m[2] as FileType } : { name, type: null };
}

export async function viewFile(paths: LoomPaths, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const q = requestUrl(req).searchParams;
  const raw = q.get('filename');
  if (raw === null || raw === '') return sendError(req, res, 404, 'No filename given (/view?filename=…&type=output&subfolder=…).');
  const { name, type: annotatedType } = annotated(raw);
  if (name.startsWith('/') || name.includes('..') || name.includes('\0')) return sendError(req, res, 400, `"${raw}" is not a plain file name.`);
  const type = annotatedType ?? q.get('type') ?? 'output';
  if (!isFileType(type)) return sendError(req, res, 400, `type "${type}" is not one of output, input, temp.`);
  const subfolder = (q.get('subfolder') ?? '').replace(/\\/g, '/').replace(/^\/+|\/+$/g, '');
  const rel = [subfolder, path.posix.basename(name.replace(/\\/g, '/'))].filter(Boolean).join('/');
  const root = fileRoot(paths, type);
  const preview = q.get('preview');
  const channelParam = q.get('channel');
  const channel = channelParam ?? 'rgba';
  if (preview === null && channel === 'rgba') return serveOutput(root, rel.split('/').map(encodeURIComponent).join('/'), req, res);

  if (rel.split('/').some((p) => p.startsWith('.') || p === '')) return sendError(req, res, 404, 'Not found');
  const found = await resolveFileInside(root, rel);
  if (found.status === 'outside') return sendError(req, res, 403, 'That file is outside its folder.');
  if (found.status !== 'file') return sendError(req, res, 404, 'Not found');
  if (!CONVERTIBLE.has(path.extname(rel).toLowerCase()))
    return sendError(req, res, 415, `"${rel}" is not an image that can be previewed (PNG, JPEG or WebP).`);
  if (found.size > MAX_CONVERT_BYTES) return sendError(req, res, 413, `"${rel}" is too large to convert (${found.size} bytes).`);
  const bytes = await fs.readFile(found.real);
  let out: Buffer;
  let mime: string;
  try {
    let img = sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: 'error' });
    if (preview !== null) {
      const parts = preview.split(';');
      let format = parts[0] === 'jpeg' ? 'jpeg' : 'webp';
      // an explicit alpha request needs a format with alpha
      if (channelParam?.includes('a')) format = 'webp';
      const quality = /^\d+$/.test(parts[parts.length - 1]) ? Math.min(100, Math.max(1, Number(parts[parts.length - 1]))) : 90;
      if (format === 'jpeg' || channel === 'rgb') img = img.removeAlpha();
      out = format === 'jpeg' ? await img.jpeg({ quality }).toBuffer() : await img.webp({ quality }).toBuffer();
      mime = `image/${format}`;
    } else if (channel === 'rgb') {
      out = await img.removeAlpha().png().toBuffer();
      mime = 'image/png';
    } else if (channel === 'a') {
      // the alpha alone on black, as an RGBA PNG (opaque where the image has no alpha)
      const meta = await img.metadata();
      const { data, info } = await img.ensureAlpha().extractChannel(3).raw().toBuffer({ resolveWithObject: true });
      out = await sharp({
        create: { width: meta.width ?? info.width, height: meta.height ?? info.height, channels: 3, background: { r: 0, g: 0, b: 0 } },
      })
        .joinChannel(data, { raw: { width: info.width, height: info.height, channels: 1 } })
        .png()
        .toBuffer();
      mime = 'image/png';
    } else {
      return sendError(req, res, 400, `channel "${channel}" is not one of rgba, rgb, a.`);
    }
  } catch (e) {
    return sendError(req, res, 422, `"${rel}" could not be converted: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  res.writeHead(200, {
    'content-type': mime,
    'content-length': out.length,
    'cache-control': 'no-cache',
    'content-disposition': `filename="${path.posix.basename(rel).replace(/["\\\r\n]/g, '_')}"`,
  });
  res.end(req.method === 'HEAD' ? undefined : out);
}
