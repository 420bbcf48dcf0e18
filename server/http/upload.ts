/** PUT /api/inputs/<name>: stores the raw request body in input/ (PNG or .latent), refusing traversal and huge bodies. */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { safeJoin } from '../config/paths';

export const UPLOAD_PREFIX = '/api/inputs/';
const MAX_BYTES = 64 * 1024 * 1024;
const ALLOWED = ['.png', '.latent'];

export function handleUpload(inputDir: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const reply = (status: number, body: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (req.method !== 'PUT') return void reply(405, { error: 'use PUT' });
  let name: string;
  try {
    name = decodeURIComponent((req.url ?? '').slice(UPLOAD_PREFIX.length).split('?')[0]);
  } catch {
    return void reply(400, { error: 'bad file name' });
  }
  const target = safeJoin(inputDir, name);
  if (!target || !ALLOWED.includes(path.extname(name).toLowerCase())) return void reply(400, { error: `name must be a relative ${ALLOWED.join(' or ')} file name` });
  if (Number(req.headers['content-length'] ?? 0) > MAX_BYTES) return void reply(413, { error: `larger than ${MAX_BYTES} bytes` });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.upload`;
  const out = fs.createWriteStream(tmp);
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > MAX_BYTES) {
      req.destroy();
      out.destroy();
      fs.rmSync(tmp, { force: true });
      reply(413, { error: `larger than ${MAX_BYTES} bytes` });
    }
  });
  req.pipe(out);
  out.on('finish', () => {
    if (bytes > MAX_BYTES) return;
    fs.renameSync(tmp, target);
    reply(200, { name, bytes });
  });
  out.on('error', (e) => reply(500, { error: e.message }));
}
