/**
 * The ComfyUI routes and /ws sit behind the server's access check like every other route: with LOOM_API_TOKEN set,
 * nothing answers without the token, and a ComfyUI client that sends it (Authorization: Bearer, as
 * @saintno/comfyui-sdk's bearer_token credentials do, on HTTP and on the WebSocket) gets through.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../api/server-process';
import { WsClient } from './support';

const TOKEN = 'comfy-api-test-token-0123456789';
let server: ServerProcess;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-comfy-token-'));
  server = await startServer(dir, { env: { LOOM_API_TOKEN: TOKEN } });
});
afterAll(async () => {
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('ComfyUI API behind a token', () => {
  it('refuses HTTP routes and the WebSocket without the token, accepts them with it', async () => {
    const bearer = { authorization: `Bearer ${TOKEN}` };
    for (const route of [
      '/prompt',
      '/queue',
      '/history',
      '/object_info',
      '/view?filename=x.png',
      '/system_stats',
      '/api/prompt',
      '/api/openapi.json',
      '/api/v1/jobs',
    ]) {
      const res = await fetch(`${server.url}${route}`);
      expect(res.status, route).toBe(401);
    }
    expect((await fetch(`${server.url}/prompt`, { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await fetch(`${server.url}/prompt`, { headers: bearer })).status).toBe(200);
    expect((await fetch(`${server.url}/api/v1/jobs`, { headers: bearer })).status).toBe(200);

    const anonymous = new WsClient(server.url, 'anon');
    await expect(anonymous.opened).rejects.toThrow(/401/);
    anonymous.kill();
    const signedIn = new WsClient(server.url, 'signed-in', bearer);
    await signedIn.opened;
    expect((await signedIn.waitFor((m) => m.type === 'status')).data.sid).toBe('signed-in');
    await signedIn.close();
  });
});
