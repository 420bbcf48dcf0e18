/** Request bodies read under a byte limit, and a JSON nesting check that runs on the raw text before anything parses it. */
import type http from 'node:http';

/** A refusal with the HTTP status it maps to. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * Reads the whole body, refusing (413) as soon as it passes `maxBytes`: by Content-Length before a
 * byte is read, else while streaming, so an oversized body is never held. Rejects on client abort.
 */
export function readBody(req: http.IncomingMessage, maxBytes: number, tooLarge: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) return reject(new HttpError(413, tooLarge));
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = (err: Error | null, body?: Buffer) => {
      if (settled) return;
      settled = true;
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (err) reject(err);
      else resolve(body as Buffer);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        req.pause();
        return done(new HttpError(413, tooLarge));
      }
      chunks.push(chunk);
    };
    const onEnd = () => done(null, Buffer.concat(chunks, size));
    const onError = (e: Error) => done(new HttpError(400, `request body: ${e.message}`));
    const onClose = () => done(new HttpError(400, 'request aborted by the client'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/**
 * The deepest array/object nesting in JSON text, stopping early once it passes `limit`. Linear, no
 * allocation: strings (with escapes) are skipped so brackets inside them do not count.
 */
export function jsonDepth(text: Uint8Array | string, limit = Infinity): number {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}
