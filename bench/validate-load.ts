/**
 * Issue 19: cheap queries while a 50,000-node workflow (a cycle, so refused) is validated. jobs.list latency under
 * 10 connections while a client submits the big workflow back to back, with validation in the prepare worker
 * (default) and inline on the server thread (LOOM_PREPARE_INLINE_NODES=1e9, what it was before). Target p99 < 100 ms.
 * Run: `npx tsx bench/validate-load.ts` (LOOM_BENCH_SECONDS=8 by default).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runIfMain } from './lib/measure';
import { startServer } from '../tests/api/server-process';

type Autocannon = (opts: {
  url: string;
  duration: number;
  connections: number;
}) => Promise<{ latency: { p50: number; p99: number; max: number }; requests: { total: number } }>;

function cyclicChain(n: number): Record<string, unknown> {
  const prompt: Record<string, unknown> = {
    ck: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'none.safetensors' } },
    save: { class_type: 'CheckpointSave', inputs: { model: ['ck', 0], clip: [String(n), 0], vae: ['ck', 2], filename_prefix: 'x' } },
  };
  for (let i = 1; i <= n; i++)
    prompt[String(i)] = { class_type: 'CLIPSetLastLayer', inputs: { clip: [String(i === 1 ? n : i - 1), 0], stop_at_clip_layer: -1 } };
  return prompt;
}

async function measure(inlineNodes: string | undefined, seconds: number, body: string, autocannon: Autocannon): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-bench-validate-'));
  const env: Record<string, string> = { LOOM_MAX_WORKFLOW_NODES: '60000', LOOM_MAX_BODY_BYTES: String(64 * 1024 * 1024) };
  if (inlineNodes) env.LOOM_PREPARE_INLINE_NODES = inlineNodes;
  const server = await startServer(dir, { env, args: ['--workers', '0'] });
  try {
    let refused = 0;
    let stop = false;
    const submit = async () => {
      while (!stop) {
        const r = await fetch(`${server.url}/api/trpc/jobs.enqueue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await r.text();
        if (r.status !== 400) throw new Error(`expected the cyclic workflow refused with 400, got ${r.status}`);
        refused++;
      }
    };
    const submitting = submit();
    const r = await autocannon({ url: `${server.url}/api/trpc/jobs.list`, duration: seconds, connections: 10 });
    stop = true;
    await submitting;
    return `p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms (${r.requests.total} requests; ${refused} big workflows refused meanwhile)`;
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const seconds = Number(process.env.LOOM_BENCH_SECONDS ?? 8);
  const { default: autocannon } = (await import(String('autocannon'))) as { default: Autocannon };
  const body = JSON.stringify({ workflow: cyclicChain(50_000) });
  console.log(
    `jobs.list while a ${(body.length / 1e6).toFixed(1)} MB, 50,000-node cyclic workflow is refused back to back (${seconds} s, ${os.cpus().length} cores):`,
  );
  console.log(`  prepare worker: ${await measure(undefined, seconds, body, autocannon)}`);
  console.log(`  inline (before): ${await measure('1000000000', seconds, body, autocannon)}`);
}

runIfMain(import.meta.url, run);
