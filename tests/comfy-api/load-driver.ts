/**
 * Load on the ComfyUI API (issue 18): one client's prompt samples in the worker while N WebSocket clients each queue
 * prompts through POST /prompt, and GET /queue is timed throughout. Used by tests/comfy-api/load.test.ts and by the
 * api-load benchmark section (bench/api-load.ts).
 */
import { performance } from 'node:perf_hooks';
import { postJson, queuePrompt, txt2imgPrompt, WsClient } from './support';

export interface ComfyLoadOptions {
  url: string;
  clients: number;
  jobsPerClient: number;
  /** how long GET /queue is timed (it starts with the queueing) */
  seconds: number;
  /** concurrent GET /queue loops */
  pollers?: number;
}

export interface ComfyLoadResult {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  errors: number;
  /** prompts accepted (200) out of clients × jobsPerClient */
  accepted: number;
  /** p99 of POST /prompt while all clients queue at once */
  enqueueP99: number;
  /** messages about one client's prompt that reached another client */
  crossTalk: number;
  /** queue length GET /queue reported at the end (queued + running) */
  queueSeen: number;
  lines: string[];
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export async function comfyLoad(opts: ComfyLoadOptions): Promise<ComfyLoadResult> {
  const { url } = opts;
  const sampler = new WsClient(url, 'load-sampler');
  const clients = Array.from({ length: opts.clients }, (_, i) => new WsClient(url, `load-${i}`));
  try {
    await Promise.all([sampler.opened, ...clients.map((c) => c.opened)]);
    // a prompt that samples for the whole measurement
    const long = await queuePrompt(url, txt2imgPrompt({ steps: 10_000, seed: 99 }), 'load-sampler');
    await sampler.waitFor((m) => m.type === 'progress' && m.data.prompt_id === long, 120_000);

    const latencies: number[] = [];
    let errors = 0;
    let lastQueue = 0;
    const until = performance.now() + opts.seconds * 1000;
    const poll = async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        try {
          const res = await fetch(`${url}/queue`);
          const body = (await res.json()) as { queue_running: unknown[]; queue_pending: unknown[] };
          if (!res.ok) errors++;
          lastQueue = body.queue_running.length + body.queue_pending.length;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t0);
      }
    };
    const pollers = Array.from({ length: opts.pollers ?? 2 }, poll);
    const enqueueTimes: number[] = [];
    const mine = new Map<string, string>();
    let accepted = 0;
    await Promise.all(
      clients.map(async (c, i) => {
        for (let j = 0; j < opts.jobsPerClient; j++) {
          const t0 = performance.now();
          const r = await postJson(`${url}/prompt`, { prompt: txt2imgPrompt({ seed: 1000 + i * opts.jobsPerClient + j }), client_id: c.clientId });
          enqueueTimes.push(performance.now() - t0);
          if (r.status === 200) {
            accepted++;
            mine.set(r.json.prompt_id as string, c.clientId as string);
          }
        }
      }),
    );
    await Promise.all(pollers);

    // routing under load: no client heard about a prompt it did not queue (the sampler's progress included)
    let crossTalk = 0;
    for (const c of clients) for (const m of c.messages) if (m.data.prompt_id && mine.get(m.data.prompt_id) !== c.clientId) crossTalk++;
    const statusSeen = clients.every((c) => c.messages.some((m) => m.type === 'status'));
    if (!statusSeen) crossTalk += 1_000_000; // a client that got nothing at all fails the check as loudly

    await postJson(`${url}/queue`, { clear: true });
    await postJson(`${url}/interrupt`, { prompt_id: long });
    await sampler.waitFor((m) => m.type === 'executing' && m.data.node === null && m.data.prompt_id === long, 60_000);

    const sorted = [...latencies].sort((a, b) => a - b);
    const enq = [...enqueueTimes].sort((a, b) => a - b);
    const r = {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? NaN,
      requests: latencies.length,
      errors,
      accepted,
      enqueueP99: percentile(enq, 99),
      crossTalk,
      queueSeen: lastQueue,
    };
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    const lines = [
      `GET /queue while ${opts.clients} WebSocket clients queue ${opts.jobsPerClient} prompts each and one prompt samples (${opts.seconds} s, ${opts.pollers ?? 2} pollers):`,
      `  p50 ${ms(r.p50)}, p90 ${ms(r.p90)}, p99 ${ms(r.p99)}, max ${ms(r.max)}, ${r.requests} requests, errors ${errors}; queue length at the end ${lastQueue}`,
      `  POST /prompt p99 ${ms(r.enqueueP99)}; ${accepted}/${opts.clients * opts.jobsPerClient} accepted; messages crossing clients: ${crossTalk}`,
    ];
    return { ...r, lines };
  } finally {
    await Promise.all([sampler, ...clients].map((c) => c.close()));
  }
}
