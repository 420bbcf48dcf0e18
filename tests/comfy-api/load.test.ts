/**
 * Issue 18's load case on a real server: 50 WebSocket clients each queue prompts through /prompt while one prompt
 * samples; every prompt must be accepted, GET /queue must keep answering, and no client may hear about another's
 * prompt. The latency target (p99 < 100 ms) is checked by the api-load benchmark section (bench/api-load.ts), not here.
 */
import fs from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../api/server-process';
import { describeGolden } from '../helpers/golden';
import { comfyLoad } from './load-driver';
import { comfyDataDir } from './support';

let server: ServerProcess | undefined;
let dir: string | undefined;
afterAll(async () => {
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describeGolden('ComfyUI API under load', () => {
  it('50 WebSocket clients queueing while one samples: GET /queue keeps answering, nothing lost, no cross-talk', async () => {
    dir = comfyDataDir('loom-comfy-load-');
    server = await startServer(dir);
    const r = await comfyLoad({ url: server.url, clients: 50, jobsPerClient: 2, seconds: 5 });
    for (const l of r.lines) console.log(`[comfy-load] ${l}`);
    expect(r.accepted).toBe(100);
    expect(r.errors).toBe(0);
    expect(r.crossTalk).toBe(0);
    expect(r.requests).toBeGreaterThan(50);
  });
});
