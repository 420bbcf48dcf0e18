/** Reading and answering ComfyUI API requests: JSON bodies under the server's limits, JSON replies, ComfyUI-shaped errors. */
import type http from 'node:http';
import { describeLimit, type Limits } from '../api/limits';
import { HttpError, jsonDepth, readBody } from '../http/body';
import type { PromptErrorBody } from './node-errors';

export function sendJson(res: http.ServerResponse, status: number, body: unknown, text?: string): void {
  const payload = text ?? JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
  });
  res.end(payload);
}

/** ComfyUI's error object for requests that are not prompts (`{error: {type, message, details, extra_info}}`). */
export function sendComfyError(res: http.ServerResponse, status: number, type: string, message: string, details = message): void {
  const body: PromptErrorBody = { error: { type, message, details, extra_info: {} }, node_errors: {} };
  sendJson(res, status, body);
}

export class BadRequest extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'BadRequest';
  }
}

/**
 * The JSON body of a request: size and nesting limited before parsing (server/api/limits.ts), any content type (the
 * ComfyUI clients send JSON as text/plain), an empty body read as `{}` (ComfyUI's /interrupt accepts one).
 */
export async function readJson(req: http.IncomingMessage, limits: Limits): Promise<unknown> {
  let body: Buffer;
  try {
    body = await readBody(req, limits.body.value, `The request body is too large: ${describeLimit('a request body', limits.body, 'bytes')}.`);
  } catch (e) {
    if (e instanceof HttpError) throw new BadRequest(e.status, e.status === 413 ? 'request_too_large' : 'invalid_request', e.message);
    throw e;
  }
  if (body.length === 0 || body.toString('utf8').trim() === '') return {};
  if (jsonDepth(body, limits.jsonDepth.value) > limits.jsonDepth.value) {
    throw new BadRequest(413, 'request_too_large', `The request nests JSON too deeply: ${describeLimit('nesting', limits.jsonDepth, 'levels')}.`);
  }
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (e) {
    // the parser's message quotes a few characters of the body at most: it helps find the typo
    throw new BadRequest(400, 'invalid_json', `The request body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A list of ids from a request field (`delete: [...]`), bounded; null when the field is absent. */
export function idList(value: unknown, field: string, max = 1000): string[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' && typeof v !== 'number')) {
    throw new BadRequest(400, 'invalid_request', `"${field}" must be a list of prompt ids.`);
  }
  if (value.length > max) throw new BadRequest(413, 'request_too_large', `"${field}" lists ${value.length} ids; at most ${max} per request.`);
  return value.map(String);
}
