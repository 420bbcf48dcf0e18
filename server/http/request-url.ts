import type http from 'node:http';

/**
 * The request target as a URL. `new URL(req.url, base)` reads a target starting with `//` as a host (and throws on
 * `//` alone), so the path is appended to a fixed origin instead: `//a/b` stays the path `//a/b`.
 */
export function requestUrl(req: Pick<http.IncomingMessage, 'url'>): URL {
  const raw = req.url ?? '/';
  try {
    return new URL(`http://x${raw.startsWith('/') ? raw : `/${raw}`}`);
  } catch {
    return new URL('http://x/');
  }
}
