/** Serves files under the output folder at /outputs/<path>; nothing outside it. */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { safeJoin } from '../config/paths';

const TYPES: Record<string, string> = { '.png': 'image/png', '.latent': 'application/octet-stream', '.safetensors': 'application/octet-stream' };

export function serveOutput(outputDir: string, urlPath: string, res: http.ServerResponse): void {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    rel = '';
  }
  const file = rel ? safeJoin(outputDir, rel) : null;
  const st = file ? fs.statSync(file, { throwIfNoEntry: false }) : undefined;
  if (!file || !st?.isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': st.size,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  fs.createReadStream(file).pipe(res);
}
