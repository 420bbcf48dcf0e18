/** Helpers for the ComfyUI API tests: a data folder with the tiny model, a WebSocket client that records, prompts. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { golden } from '../helpers/golden';

/** A data root with tiny-sd1 as models/checkpoints/tiny-sd1.safetensors (and the CLIP vocabulary), and an input folder. */
export function comfyDataDir(prefix = 'loom-comfy-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.mkdirSync(path.join(dir, 'models', 'checkpoints'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'models', 'clip'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'input'), { recursive: true });
  fs.symlinkSync(golden('tiny-sd1', 'model.safetensors'), path.join(dir, 'models', 'checkpoints', 'tiny-sd1.safetensors'));
  fs.symlinkSync(golden('clip', 'bpe_simple_vocab_16e6.txt.gz'), path.join(dir, 'models', 'clip', 'bpe_simple_vocab_16e6.txt.gz'));
  return dir;
}

export type ApiPrompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/**
 * ComfyUI's own txt2img case (../shared/golden/comfy-nodes/txt2img_72x56: 72x56, dpmpp_2m karras, 3 steps, seed 111)
 * plus a SaveImage node "7"; `golden.safetensors` of that case holds ComfyUI's decoded image (key 6.0).
 */
export function txt2imgPrompt(changes: { steps?: number; seed?: number; prefix?: string } = {}): ApiPrompt {
  const prompt = JSON.parse(fs.readFileSync(golden('comfy-nodes', 'txt2img_72x56', 'workflow_api.json'), 'utf8')) as ApiPrompt;
  if (changes.steps !== undefined) prompt['5'].inputs.steps = changes.steps;
  if (changes.seed !== undefined) prompt['5'].inputs.seed = changes.seed;
  prompt['7'] = { class_type: 'SaveImage', inputs: { images: ['6', 0], filename_prefix: changes.prefix ?? 'ComfyUI' } };
  return prompt;
}

export interface Message {
  type: string;
  data: Record<string, unknown> & { prompt_id?: string; node?: string | null };
}

/** A ComfyUI WebSocket client that keeps every message, for assertions on order and routing. */
export class WsClient {
  readonly messages: Message[] = [];
  readonly frames: Buffer[] = [];
  /** message index at which each binary frame arrived */
  readonly frameAt: number[] = [];
  private readonly ws: WebSocket;
  private waiters: (() => void)[] = [];
  readonly opened: Promise<void>;

  constructor(
    baseUrl: string,
    readonly clientId: string | null,
    headers: Record<string, string> = {},
  ) {
    this.ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws${clientId === null ? '' : `?clientId=${encodeURIComponent(clientId)}`}`, {
      headers,
    });
    this.ws.on('message', (data: Buffer, binary: boolean) => {
      if (binary) {
        this.frames.push(Buffer.from(data));
        this.frameAt.push(this.messages.length);
      } else this.messages.push(JSON.parse(data.toString()) as Message);
      for (const w of this.waiters.splice(0)) w();
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket refused: HTTP ${res.statusCode}`)));
    });
  }

  /** Resolves with the first message (from index `from`) matching `pred`. */
  async waitFor(pred: (m: Message) => boolean, timeoutMs = 60_000, from = 0): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).find(pred);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message within ${timeoutMs} ms; got: ${this.messages.map((m) => m.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Messages of one prompt, in order. */
  of(promptId: string): Message[] {
    return this.messages.filter((m) => m.data.prompt_id === promptId);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }

  /** Drops the connection without a close handshake (a client that vanished). */
  kill(): void {
    this.ws.terminate();
  }
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function getJson<T = Record<string, unknown>>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Queues a prompt for a client; throws with the server's answer when it is refused. */
export async function queuePrompt(baseUrl: string, prompt: unknown, clientId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await postJson(`${baseUrl}/prompt`, { prompt, client_id: clientId, ...extra });
  if (r.status !== 200) throw new Error(`POST /prompt: HTTP ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.prompt_id as string;
}
