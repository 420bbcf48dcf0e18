/**
 * POST /prompt (server.py post_prompt): `{prompt, client_id, extra_data, prompt_id?, front?, number?}` →
 * `{prompt_id, number, node_errors}`, or 400 with ComfyUI's `{error, node_errors}`. The prompt may be ComfyUI's API
 * format, its UI format or our v2 workflow (loadAnyWorkflow); it is queued through engine.enqueue like every other job,
 * keeping the client id and `extra_data.extra_pnginfo` in the workflow's meta (meta.ts).
 */
import type http from 'node:http';
import type { SchemaMap } from '../../nodes/schemas';
import { workflowTooLarge } from '../api/limits';
import type { Limits } from '../api/limits';
import { scrubPaths } from '../api/public-errors';
import type { LoomPaths } from '../config/paths';
import type { Engine } from '../scheduler/engine';
import { WorkflowInvalidError } from '../scheduler/errors';
import { StoreFullError, StoreUnavailableError } from '../store/errors';
import { BadRequest, isRecord, readJson, sendComfyError, sendJson } from './http';
import type { ComfyMeta } from './meta';
import { ComfyMessages } from './messages';
import { precheckApiPrompt, promptErrors, topLevel } from './node-errors';

export interface PromptContext {
  engine: Engine;
  paths: LoomPaths;
  limits: Limits;
  schemas: SchemaMap;
  messages: ComfyMessages;
  /** the next queue number (ComfyUI's server-wide counter) */
  nextNumber(): number;
}

/** A PNG text keyword: 1-79 printable Latin-1 characters, no leading or trailing space (PNG spec 11.3.4.2). */
const PNG_KEYWORD = /^[\x21-\x7e\xa1-\xff](?:[\x20-\x7e\xa1-\xff]{0,77}[\x21-\x7e\xa1-\xff])?$/;
const PROMPT_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** An API-format prompt is a map of node ids to nodes; ours and ComfyUI's UI files have `format` / `nodes`. */
const looksLikeApiPrompt = (p: unknown): p is Record<string, unknown> => isRecord(p) && !('nodes' in p) && !('format' in p);

function badPrompt(res: http.ServerResponse, message: string, details = message): void {
  sendJson(res, 400, topLevel('invalid_prompt', message, details));
}

export async function postPrompt(ctx: PromptContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  let body: unknown;
  try {
    body = await readJson(req, ctx.limits);
  } catch (e) {
    if (e instanceof BadRequest) return sendJson(res, e.status, topLevel(e.status === 413 ? 'request_too_large' : 'invalid_prompt', e.message));
    throw e;
  }
  if (!isRecord(body)) return badPrompt(res, 'The request body must be a JSON object: {"prompt": {...}, "client_id": "..."}.');
  if (!('prompt' in body)) return sendJson(res, 400, topLevel('no_prompt', 'No prompt provided', 'No prompt provided'));
  const tooLarge = workflowTooLarge(body.prompt, ctx.limits);
  if (tooLarge) return sendJson(res, 413, topLevel('request_too_large', tooLarge));

  const clientId = body.client_id;
  if (clientId !== undefined && clientId !== null && (typeof clientId !== 'string' || clientId.length > 256))
    return badPrompt(res, '"client_id" must be a string of at most 256 characters.');
  const extraData = body.extra_data ?? {};
  if (!isRecord(extraData)) return badPrompt(res, '"extra_data" must be an object.');
  const pngInfo = extraData.extra_pnginfo;
  if (pngInfo !== undefined && !isRecord(pngInfo)) return badPrompt(res, '"extra_data.extra_pnginfo" must be an object of PNG text entries.');
  const badKey = Object.keys(pngInfo ?? {}).find((k) => !PNG_KEYWORD.test(k));
  if (badKey !== undefined)
    return badPrompt(
      res,
      `"extra_data.extra_pnginfo" key ${JSON.stringify(badKey)} cannot be a PNG text keyword (1-79 printable Latin-1 characters, no leading or trailing space).`,
    );
  const promptId = body.prompt_id;
  if (promptId !== undefined && promptId !== null && (typeof promptId !== 'string' || !PROMPT_ID.test(promptId))) {
    return badPrompt(res, '"prompt_id" must be 1-128 letters, digits, "_", "-", "." or ":".');
  }
  const targets = body.partial_execution_targets;
  if (Array.isArray(targets) && targets.length > 0) {
    return badPrompt(
      res,
      'Partial execution ("partial_execution_targets") is not supported by this server: queue the prompt with only the outputs you want.',
    );
  }
  if (typeof promptId === 'string' && (await ctx.engine.get(promptId))) return badPrompt(res, `A prompt with id "${promptId}" exists already.`);

  let input: unknown = body.prompt;
  if (looksLikeApiPrompt(input)) {
    const checked = precheckApiPrompt(input, ctx.schemas);
    if (!checked.ok) return sendJson(res, 400, checked.body);
    input = checked.prompt;
  }
  const number = ctx.nextNumber();
  const comfy: ComfyMeta = {
    ...(typeof clientId === 'string' ? { client_id: clientId } : {}),
    number,
    create_time: Date.now(),
    ...(pngInfo ? { extra_pnginfo: pngInfo } : {}),
  };
  const scrub = (s: string) => scrubPaths(s, ctx.paths);
  try {
    const { job, warnings } = await ctx.engine.enqueue(input, {}, { meta: { comfy }, ...(typeof promptId === 'string' ? { id: promptId } : {}) });
    ctx.messages.register(job.id, ComfyMessages.infoOf(comfy.client_id ?? null, job.workflow.nodes));
    sendJson(res, 200, { prompt_id: job.id, number, node_errors: {}, ...(warnings.length > 0 ? { warnings: warnings.map(scrub) } : {}) });
  } catch (e) {
    if (e instanceof WorkflowInvalidError) {
      const prepared = await ctx.engine.prepare(input, {}, { keepInvalid: true });
      return sendJson(res, 400, promptErrors(e.errors, prepared.workflow, ctx.schemas, scrub));
    }
    if (e instanceof StoreFullError) return sendComfyError(res, 507, 'store_full', e.message);
    if (e instanceof StoreUnavailableError) return sendComfyError(res, 503, 'store_unavailable', e.message);
    throw e;
  }
}
