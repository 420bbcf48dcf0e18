/** Error replies in the shape each kind of client expects, plus the headers every response carries. */
import type http from 'node:http';
import { TRPC_PREFIX } from './routes';

/** tRPC's JSON-RPC codes for the statuses this layer answers itself, so tRPC clients show the message. */
const TRPC_CODES: Record<number, [string, number]> = {
  400: ['BAD_REQUEST', -32600],
  401: ['UNAUTHORIZED', -32001],
  403: ['FORBIDDEN', -32003],
  404: ['NOT_FOUND', -32004],
  405: ['METHOD_NOT_SUPPORTED', -32005],
  409: ['CONFLICT', -32009],
  413: ['PAYLOAD_TOO_LARGE', -32013],
  415: ['UNSUPPORTED_MEDIA_TYPE', -32015],
  500: ['INTERNAL_SERVER_ERROR', -32603],
  503: ['SERVICE_UNAVAILABLE', -32603],
  507: ['INTERNAL_SERVER_ERROR', -32603],
};

/**
 * Frame-busting and content hardening for every response: the editor cannot be framed
 * (clickjacking), outputs cannot be embedded by other sites, and no response is MIME-sniffed.
 */
export function setSecurityHeaders(res: http.ServerResponse): void {
  res.setHeader('content-security-policy', "frame-ancestors 'none'");
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'same-origin');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
}

/**
 * Answers an error: tRPC's error envelope under /api/trpc, `{error}` JSON under /api, text elsewhere.
 * `close` ends the connection after the reply (a body we refused to read is still arriving).
 */
export function sendError(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  status: number,
  message: string,
  opts: { close?: boolean; headers?: Record<string, string> } = {},
): void {
  if (res.headersSent || res.destroyed) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  const url = req.url ?? '/';
  let body: string;
  let type: string;
  if (url === TRPC_PREFIX || url.startsWith(`${TRPC_PREFIX}/`) || url.startsWith(`${TRPC_PREFIX}?`)) {
    const [code, rpc] = TRPC_CODES[status] ?? TRPC_CODES[500];
    body = JSON.stringify({ error: { message, code: rpc, data: { code, httpStatus: status } } });
    type = 'application/json';
  } else if (url.startsWith('/api/')) {
    body = JSON.stringify({ error: message });
    type = 'application/json';
  } else {
    body = `${message}\n`;
    type = 'text/plain; charset=utf-8';
  }
  const headers: Record<string, string | number> = { 'content-type': type, 'content-length': Buffer.byteLength(body), ...opts.headers };
  if (opts.close) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(body);
  if (opts.close) {
    // the client may still be sending: drop the connection once the reply is out, without reading the rest
    res.once('finish', () => setTimeout(() => req.socket.destroy(), 50).unref());
  }
}
