/**
 * ComfyUI's HTTP and WebSocket API on our engine, at the root of the one server (and under /api, as ComfyUI also
 * serves it): every ComfyUI client (SDKs, bots, editor plugins) can use Latent Loom with only its base URL changed.
 * Requests reach this after the server's access check and under its limits (server/http/server.ts). The engine is
 * used only through its public methods; jobs queued here are ordinary jobs (the editor and tRPC see them too).
 * docs/comfy-api.md lists the endpoints and where we differ from ComfyUI.
 */
import os from 'node:os';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { REGISTRY, type Registry } from '../../nodes/registry';
import { appRouter } from '../api/root';
import type { Limits } from '../api/limits';
import { scrubPaths } from '../api/public-errors';
import type { LoomPaths } from '../config/paths';
import { listModels } from '../config/model-list';
import { MODEL_FOLDER_KEYS, mapLegacyFolder } from '../config/model-folders';
import { resolveDevice } from '../runtime/onnx/session';
import type { Engine } from '../scheduler/engine';
import type { JobRecord } from '../scheduler/job';
import { StoreFullError, StoreUnavailableError } from '../store/errors';
import { sendError } from '../http/reply';
import { historyEntry, inHistory, queueItem, type HistoryEntry, type QueueItem } from './history';
import { BadRequest, idList, isRecord, readJson, sendComfyError, sendJson } from './http';
import { comfyMeta } from './meta';
import { ComfyMessages } from './messages';
import { objectInfo, serializeJson, type FileLists } from './object-info';
import { postPrompt } from './prompt';
import { uploadImage } from './upload';
import { viewFile } from './view';
import { createComfyHub, type ComfyHub } from './ws';
import { requestUrl } from '../http/request-url';

export interface ComfyApiOptions {
  engine: Engine;
  paths: LoomPaths;
  limits: Limits;
  /** the node types (tests add fixture nodes); default: this build's registry */
  registry?: Registry;
}

export interface ComfyApi {
  /** whether a request path is one of ComfyUI's endpoints (at the root or under /api) */
  matches(pathname: string): boolean;
  /** whether a request path takes an upload (its body limit is the upload limit) */
  isUpload(pathname: string): boolean;
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  /** a WebSocket upgrade that passed the access check; false when the path is not /ws */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean;
  readonly hub: ComfyHub;
  close(): void;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, params: string[]) => Promise<void> | void;
interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handler: Handler;
}

/** The protocol version we speak (ComfyUI at the reference commit of docs/nodes.md), reported as comfyui_version. */
const COMFYUI_PROTOCOL_VERSION = '0.8.0';
/** GET /history without max_items answers at most this many (ComfyUI answers all; ours can hold 10,000 jobs). */
const HISTORY_DEFAULT_ITEMS = 1000;
const HISTORY_MAX_SCAN = 10_000;
const QUEUE_ITEM_CACHE = 5000;

const stripApi = (p: string) => (p.startsWith('/api/') ? p.slice(4) : p);

export function createComfyApi(opts: ComfyApiOptions): ComfyApi {
  const { engine, paths, limits } = opts;
  const registry = opts.registry ?? REGISTRY;
  const schemas = registry.schemas;
  const scrub = (s: string) => scrubPaths(s, paths);
  const features = { supports_preview_metadata: false, max_upload_size: limits.upload.value };
  let lastNumber = Date.now();
  const nextNumber = () => (lastNumber = Math.max(lastNumber + 1, Date.now()));
  const queueRemaining = async () => {
    const c = await engine.counts();
    return c.queued + c.running;
  };
  const messages = new ComfyMessages({
    lookup: async (id) => {
      const job = await engine.get(id);
      return job ? ComfyMessages.infoOf(comfyMeta(job).client_id ?? null, job.workflow.nodes) : null;
    },
    scrub,
  });
  const hub = createComfyHub({ messages, events: engine.events, queueRemaining, features });

  // queued jobs never change: their queue items are built and serialized once (SDK clients poll GET /queue on every status)
  const items = new Map<string, string>();
  const itemOf = (job: JobRecord): string => {
    const known = items.get(job.id);
    if (known) return known;
    const item = JSON.stringify(queueItem(job, schemas) satisfies QueueItem);
    items.set(job.id, item);
    if (items.size > QUEUE_ITEM_CACHE) items.delete(items.keys().next().value as string);
    return item;
  };

  const caller = () => appRouter.createCaller({ engine, paths, limits });
  const fileLists = async (): Promise<FileLists> => {
    const inputs = await caller().inputs.list();
    return {
      models: (folder) => listModels(paths, folder),
      inputs: (exts) => inputs.map((f) => f.name).filter((n) => !exts || exts.some((x) => n.toLowerCase().endsWith(x.toLowerCase()))),
    };
  };

  const body = async (req: http.IncomingMessage): Promise<Record<string, unknown>> => {
    const json = await readJson(req, limits);
    if (!isRecord(json)) throw new BadRequest(400, 'invalid_request', 'The request body must be a JSON object.');
    return json;
  };

  const queueInfo = async () => ({ exec_info: { queue_remaining: await queueRemaining() } });

  let device: Promise<string> | null = null;
  const deviceName = () => (device ??= resolveDevice().catch(() => 'cpu'));

  const routes: Route[] = [
    { method: 'GET', pattern: /^\/prompt$/, handler: async (_req, res) => sendJson(res, 200, await queueInfo()) },
    { method: 'POST', pattern: /^\/prompt$/, handler: (req, res) => postPrompt({ engine, paths, limits, schemas, messages, nextNumber }, req, res) },
    {
      method: 'GET',
      pattern: /^\/queue$/,
      handler: async (_req, res) => {
        const [running, pending] = await Promise.all([engine.list({ status: 'running', limit: 1000 }), engine.queued()]);
        const live = new Set([...running.jobs, ...pending].map((j) => j.id));
        for (const id of items.keys()) if (!live.has(id)) items.delete(id);
        sendJson(
          res,
          200,
          null,
          `{"queue_running":[${running.jobs.reverse().map(itemOf).join(',')}],"queue_pending":[${pending.map(itemOf).join(',')}]}`,
        );
      },
    },
    {
      method: 'POST',
      pattern: /^\/queue$/,
      handler: async (req, res) => {
        const b = await body(req);
        const ids = new Set(idList(b.delete, 'delete') ?? []);
        if (b.clear === true) for (const j of await engine.queued()) ids.add(j.id);
        const deleted: string[] = [];
        // ComfyUI's queue delete removes pending prompts only; a running one is stopped with /interrupt
        for (const id of ids) if ((await engine.get(id))?.status === 'queued' && (await engine.cancel(id))) deleted.push(id);
        sendJson(res, 200, { deleted });
      },
    },
    {
      method: 'POST',
      pattern: /^\/interrupt$/,
      handler: async (req, res) => {
        const b = await body(req);
        const target = b.prompt_id;
        if (target !== undefined && target !== null && typeof target !== 'string')
          throw new BadRequest(400, 'invalid_request', '"prompt_id" must be a string.');
        const running = (await engine.list({ status: 'running', limit: 1000 })).jobs;
        const stop = running.filter((j) => !target || j.id === target);
        for (const j of stop) await engine.cancel(j.id);
        sendJson(res, 200, { interrupted: stop.map((j) => j.id) });
      },
    },
    {
      method: 'POST',
      pattern: /^\/free$/,
      handler: async (req, res) => {
        const b = await body(req);
        const freeMemory = b.free_memory === true;
        await engine.free({ models: b.unload_models === true || freeMemory, outputs: freeMemory });
        sendJson(res, 200, {});
      },
    },
    {
      method: 'GET',
      pattern: /^\/history$/,
      handler: async (req, res) => {
        const q = requestUrl(req).searchParams;
        const num = (name: string) => {
          const v = q.get(name);
          if (v === null) return null;
          if (!/^-?\d+$/.test(v)) throw new BadRequest(400, 'invalid_request', `${name} must be an integer.`);
          return Number(v);
        };
        const maxItems = num('max_items');
        const offset = num('offset');
        const want = maxItems !== null && maxItems >= 0 ? Math.min(maxItems, HISTORY_MAX_SCAN) : HISTORY_DEFAULT_ITEMS;
        // newest first from the store; ComfyUI lists oldest first, and counts offset from the oldest
        const scan = offset !== null && offset >= 0 ? HISTORY_MAX_SCAN : want;
        const found: JobRecord[] = [];
        let cursor: string | null = null;
        do {
          const page = await engine.list({ cursor, limit: 200 });
          for (const j of page.jobs) if (inHistory(j) && found.length < scan) found.push(j);
          cursor = page.nextCursor;
        } while (cursor && found.length < scan);
        let chosen = found.reverse();
        if (offset !== null && offset >= 0) chosen = chosen.slice(offset, offset + want);
        const out: Record<string, HistoryEntry> = {};
        for (const j of chosen) out[j.id] = historyEntry(j, schemas, scrub);
        sendJson(res, 200, out);
      },
    },
    {
      method: 'GET',
      pattern: /^\/history\/([^/]+)$/,
      handler: async (_req, res, [id]) => {
        const job = await engine.get(id);
        sendJson(res, 200, job && inHistory(job) ? { [job.id]: historyEntry(job, schemas, scrub) } : {});
      },
    },
    {
      method: 'POST',
      pattern: /^\/history$/,
      handler: async (req, res) => {
        const b = await body(req);
        let deleted = 0;
        if (b.clear === true) deleted += await engine.deleteHistory(null);
        const ids = idList(b.delete, 'delete');
        if (ids) deleted += await engine.deleteHistory(ids);
        sendJson(res, 200, { deleted });
      },
    },
    { method: 'GET', pattern: /^\/view$/, handler: (req, res) => viewFile(paths, req, res) },
    { method: 'POST', pattern: /^\/upload\/image$/, handler: (req, res) => uploadImage(paths, limits, req, res, false) },
    { method: 'POST', pattern: /^\/upload\/mask$/, handler: (req, res) => uploadImage(paths, limits, req, res, true) },
    {
      method: 'GET',
      pattern: /^\/object_info$/,
      handler: async (_req, res) => {
        const info = objectInfo(registry.list, await fileLists());
        sendJson(res, 200, null, serializeJson(info));
      },
    },
    {
      method: 'GET',
      pattern: /^\/object_info\/([^/]+)$/,
      handler: async (_req, res, [cls]) => {
        const schema = registry.list.find((s) => s.id === cls && !s.frontendOnly);
        sendJson(res, 200, null, serializeJson(schema ? objectInfo([schema], await fileLists()) : {}));
      },
    },
    { method: 'GET', pattern: /^\/models$/, handler: (_req, res) => sendJson(res, 200, MODEL_FOLDER_KEYS) },
    {
      method: 'GET',
      pattern: /^\/models\/([^/]+)$/,
      handler: (req, res, [folder]) => {
        const key = mapLegacyFolder(folder);
        if (!key) return sendError(req, res, 404, `"${folder}" is not a model folder; GET /models lists them.`);
        sendJson(res, 200, listModels(paths, key));
      },
    },
    {
      method: 'GET',
      pattern: /^\/embeddings$/,
      handler: (_req, res) =>
        sendJson(
          res,
          200,
          listModels(paths, 'embeddings').map((n) => n.replace(/\.[^./]+$/, '')),
        ),
    },
    {
      method: 'GET',
      pattern: /^\/system_stats$/,
      handler: async (_req, res) => {
        const provider = await deviceName();
        const cpu = provider === 'cpu';
        sendJson(res, 200, {
          system: {
            os: process.platform,
            ram_total: os.totalmem(),
            ram_free: os.freemem(),
            comfyui_version: COMFYUI_PROTOCOL_VERSION,
            latentloom_version: process.env.npm_package_version ?? '0.1.0',
            python_version: `node ${process.versions.node}`,
            pytorch_version: 'onnxruntime-node',
            embedded_python: false,
            argv: [],
            required_frontend_version: '',
            installed_templates_version: '',
            required_templates_version: '',
          },
          devices: [
            {
              name: cpu ? `cpu (${os.cpus()[0]?.model?.trim() ?? 'unknown'})` : provider,
              type: provider,
              index: 0,
              vram_total: cpu ? os.totalmem() : 0,
              vram_free: cpu ? os.freemem() : 0,
              torch_vram_total: 0,
              torch_vram_free: 0,
            },
          ],
        });
      },
    },
    { method: 'GET', pattern: /^\/features$/, handler: (_req, res) => sendJson(res, 200, features) },
    { method: 'GET', pattern: /^\/extensions$/, handler: (_req, res) => sendJson(res, 200, []) },
    {
      method: 'GET',
      pattern: /^\/ws$/,
      handler: (req, res) =>
        sendError(req, res, 426, 'GET /ws is a WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket).', {
          headers: { upgrade: 'websocket' },
        }),
    },
  ];

  const find = (pathname: string) => {
    const p = stripApi(pathname);
    return routes.filter((r) => r.pattern.test(p));
  };

  return {
    hub,
    matches: (pathname) => find(pathname).length > 0,
    isUpload: (pathname) => /^\/upload\/(image|mask)$/.test(stripApi(pathname)),
    async handle(req, res) {
      const url = requestUrl(req);
      const candidates = find(url.pathname);
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      const route = candidates.find((r) => r.method === method);
      if (!route) {
        return sendError(req, res, 405, `${req.method} is not supported on ${url.pathname}.`, {
          headers: { allow: [...new Set(candidates.map((r) => r.method))].join(', ') },
        });
      }
      let params: string[];
      try {
        params = (route.pattern.exec(stripApi(url.pathname)) ?? []).slice(1).map((p) => decodeURIComponent(p));
      } catch {
        return sendError(req, res, 400, 'The path is not valid URL encoding.');
      }
      try {
        await route.handler(req, res, params);
      } catch (e) {
        if (e instanceof BadRequest) return sendComfyError(res, e.status, e.type, e.message);
        if (e instanceof StoreFullError) return sendComfyError(res, 507, 'store_full', e.message);
        if (e instanceof StoreUnavailableError) return sendComfyError(res, 503, 'store_unavailable', e.message);
        throw e;
      }
    },
    upgrade(req, socket, head) {
      const pathname = requestUrl(req).pathname;
      if (stripApi(pathname) !== '/ws') return false;
      hub.upgrade(req, socket, head);
      return true;
    },
    close() {
      hub.close();
    },
  };
}
