/**
 * GET /ws?clientId=…: ComfyUI's WebSocket (server.py websocket_handler). A client is known by its clientId (a
 * reconnect with the same id takes the session over, and hears which node its running prompt is on); it gets
 * `status` with its `sid` on connect, and then the messages of the prompts it queued (messages.ts). Slow clients lose
 * preview frames first and are dropped past a backlog limit, so one stalled socket never grows the server's memory.
 * Upgrades reach this only through the server's access check (server/http/server.ts).
 */
import crypto from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { JobEvent } from '../scheduler/events';
import type { ComfyMessages, Outgoing } from './messages';
import { requestUrl } from '../http/request-url';

export interface HubOptions {
  messages: ComfyMessages;
  events: { subscribe(afterId: number | null, signal?: AbortSignal): AsyncGenerator<JobEvent> };
  queueRemaining(): Promise<number>;
  /** sent in reply to a client's feature_flags message */
  features: Record<string, unknown>;
  /** most sockets at once (LOOM_MAX_WS_CLIENTS) */
  maxClients?: number;
  log?: (line: string) => void;
}

export interface ComfyHub {
  /** handles an upgrade of /ws (already access-checked); answers 503 past the client limit */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  readonly clients: number;
  close(): void;
}

/** Past this backlog a client gets no preview frames; past the hard one it is disconnected. */
const PREVIEW_BACKLOG = 4 * 1024 * 1024;
const MAX_BACKLOG = 64 * 1024 * 1024;
const PING_MS = 30_000;
const MAX_CLIENT_ID = 256;
const STATUS_MS = 50;

export function createComfyHub(opts: HubOptions): ComfyHub {
  const log = opts.log ?? ((l) => console.warn(l));
  const maxClients = opts.maxClients ?? Number(process.env.LOOM_MAX_WS_CLIENTS ?? 1000);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  const sockets = new Map<string, WebSocket>();
  const stop = new AbortController();
  const alive = new WeakSet<WebSocket>();

  const sendTo = (ws: WebSocket, data: string | Buffer, binary: boolean) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_BACKLOG) {
      log(`comfy ws: dropping a client that stopped reading (${ws.bufferedAmount} bytes queued)`);
      ws.terminate();
      return;
    }
    if (binary && ws.bufferedAmount > PREVIEW_BACKLOG) return;
    ws.send(data, { binary });
  };
  const json = (type: string, data: Record<string, unknown>) => JSON.stringify({ type, data });

  // queue changes come in bursts (50 clients queueing at once): one status per STATUS_MS at most, the last one always
  // sent, with the queue length as it is when it goes out (SDK clients answer each status with GET /queue)
  let statusTimer: NodeJS.Timeout | null = null;
  let lastStatus = 0;
  const broadcastStatus = async () => {
    statusTimer = null;
    lastStatus = Date.now();
    try {
      const text = json('status', { status: { exec_info: { queue_remaining: await opts.queueRemaining() } } });
      for (const ws of sockets.values()) sendTo(ws, text, false);
    } catch (err) {
      log(`comfy ws: queue state unavailable, status not sent: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const statusChanged = () => {
    if (statusTimer || stop.signal.aborted) return;
    statusTimer = setTimeout(() => void broadcastStatus(), Math.max(0, lastStatus + STATUS_MS - Date.now()));
  };

  const dispatch = (messages: readonly Outgoing[]) => {
    for (const m of messages) {
      if (m.kind === 'status') {
        statusChanged();
        continue;
      }
      if (m.kind === 'binary') {
        const ws = sockets.get(m.to);
        if (ws) sendTo(ws, m.bytes, true);
        continue;
      }
      const text = json(m.type, m.data);
      if (m.to === null) for (const ws of sockets.values()) sendTo(ws, text, false);
      else {
        const ws = sockets.get(m.to);
        if (ws) sendTo(ws, text, false);
      }
    }
  };

  // one reader of the event feed, in order: a prompt's messages never overtake each other
  void (async () => {
    for await (const e of opts.events.subscribe(null, stop.signal)) {
      try {
        dispatch(await opts.messages.translate(e));
      } catch (err) {
        log(`comfy ws: event ${e.type} of ${e.jobId} not relayed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  })().catch((err: unknown) => log(`comfy ws: event feed ended: ${err instanceof Error ? err.message : String(err)}`));

  const ping = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, PING_MS);
  ping.unref();

  const onConnection = async (ws: WebSocket, requested: string | null) => {
    const sid = requested ?? crypto.randomUUID().replace(/-/g, '');
    // a reconnect with the same id takes the session over (ComfyUI pops the old socket)
    sockets.set(sid, ws);
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      if (sockets.get(sid) === ws) sockets.delete(sid);
    });
    let first = true;
    ws.on('message', (raw: RawData, isBinary: boolean) => {
      if (isBinary || !first) return;
      first = false;
      try {
        const msg = JSON.parse(raw.toString()) as { type?: unknown };
        if (msg && msg.type === 'feature_flags') sendTo(ws, json('feature_flags', opts.features), false);
      } catch {
        // ComfyUI logs and ignores text it cannot parse
      }
    });
    try {
      sendTo(ws, json('status', { status: { exec_info: { queue_remaining: await opts.queueRemaining() } }, sid }), false);
    } catch (err) {
      log(`comfy ws: queue state unavailable for a new client: ${err instanceof Error ? err.message : String(err)}`);
      sendTo(ws, json('status', { status: { exec_info: { queue_remaining: 0 } }, sid }), false);
    }
    const running = opts.messages.current(sid);
    if (running) sendTo(ws, json('executing', { node: running.node, display_node: running.node, prompt_id: running.promptId }), false);
  };

  return {
    upgrade(req, socket, head) {
      if (sockets.size >= maxClients) {
        const body = `Too many WebSocket clients (${maxClients}; set LOOM_MAX_WS_CLIENTS to raise it).\n`;
        socket.end(
          `HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        );
        return;
      }
      const url = requestUrl(req);
      const id = url.searchParams.get('clientId');
      const requested = id && id.length <= MAX_CLIENT_ID ? id : null;
      wss.handleUpgrade(req, socket, head, (ws) => {
        void onConnection(ws, requested);
      });
    },
    get clients() {
      return sockets.size;
    },
    close() {
      stop.abort();
      clearInterval(ping);
      if (statusTimer) clearTimeout(statusTimer);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
