/**
 * Loopback load on jobs.list while the execution worker is busy: with the golden tiny-sd1 fixture a
 * text-to-image job samples for the whole run; without it, LoadImage → PreviewImage of 2048² PNGs
 * (distinct files so nothing is cached). Issue 4 asks p99 < 100 ms.
 * Then, with the golden fixture, the ComfyUI API (issue 18): 50 WebSocket clients each queue prompts through
 * POST /prompt while one prompt samples, and GET /queue is timed (tests/comfy-api/load-driver.ts); p99 < 100 ms.
 * Run: `npx tsx bench/api-load.ts` (LOOM_BENCH_SECONDS=10 by default).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runIfMain } from './lib/measure';
import { PNG } from 'pngjs';
import { client, startServer } from '../tests/api/server-process';
import { golden, haveGolden } from '../tests/helpers/golden';
import { readJobEvents } from '../server/api/sse-client';
import { comfyLoad, type ComfyLoadResult } from '../tests/comfy-api/load-driver';

interface AutocannonResult {
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  requests: { total: number; average: number };
  errors: number;
  non2xx: number;
}
type Autocannon = (opts: { url: string; duration: number; connections: number }) => Promise<AutocannonResult>;

export interface ApiLoadResult {
  p50: number;
  p99: number;
  max: number;
  requests: number;
  rps: number;
  errors: number;
  jobsRunDuringLoad: number;
  /** the ComfyUI API part (needs the golden tiny-sd1 fixture) */
  comfy: ComfyLoadResult | null;
  lines: string[];
}

function writeGradientPng(file: string, size: number, seed: number): void {
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      png.data[i] = (x + seed) & 255;
      png.data[i + 1] = (y * 3) & 255;
      png.data[i + 2] = (x ^ y) & 255;
      png.data[i + 3] = 255;
    }
  }
  fs.writeFileSync(file, PNG.sync.write(png));
}

export async function run(): Promise<ApiLoadResult> {
  const seconds = Number(process.env.LOOM_BENCH_SECONDS ?? 10);
  const { default: autocannon } = (await import(String('autocannon'))) as { default: Autocannon };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-bench-'));
  fs.mkdirSync(path.join(dataDir, 'input'));
  const images = 12;
  if (haveGolden) {
    fs.mkdirSync(path.join(dataDir, 'models', 'checkpoints'), { recursive: true });
    fs.mkdirSync(path.join(dataDir, 'models', 'clip'), { recursive: true });
    fs.symlinkSync(golden('tiny-sd1', 'model.safetensors'), path.join(dataDir, 'models', 'checkpoints', 'tiny-sd1.safetensors'));
    fs.symlinkSync(golden('clip', 'bpe_simple_vocab_16e6.txt.gz'), path.join(dataDir, 'models', 'clip', 'bpe_simple_vocab_16e6.txt.gz'));
  } else {
    for (let i = 0; i < images; i++) writeGradientPng(path.join(dataDir, 'input', `big-${i}.png`), 2048, i);
  }
  const server = await startServer(dataDir);
  try {
    const api = client(server.url);
    // warm the execution worker (thread start + module load) so the figure is steady state
    const warm = await api.jobs.enqueue.mutate({
      workflow: {
        format: 'latentloom.workflow',
        version: 1,
        nodes: {
          l: { type: 'EmptyLatent', params: { width: 64, height: 64 } },
          s: { type: 'SaveLatent', inputs: { samples: { node: 'l', output: 'latent' } } },
        },
      },
    });
    while ((await api.jobs.get.query({ id: warm.id })).status !== 'finished') await new Promise((r) => setTimeout(r, 50));
    let busyWith: string;
    if (haveGolden) {
      const example = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../public/workflows/text-to-image.json'), 'utf8')) as unknown;
      await api.jobs.enqueue.mutate({ workflow: example, overrides: { 'latent.width': 64, 'latent.height': 64, 'sampler.steps': 2000 } });
      // wait for sampling to begin so the load hits a worker that is really sampling
      const ac = new AbortController();
      for await (const e of readJobEvents(server.url, { lastEventId: '0' }, ac.signal))
        if (e.type === 'node.progress' || e.type === 'job.failed') break;
      ac.abort();
      busyWith = 'tiny-sd1 text-to-image sampling (2000 steps, 64x64)';
    } else {
      for (let i = 0; i < images; i++) {
        await api.jobs.enqueue.mutate({
          workflow: {
            format: 'latentloom.workflow',
            version: 1,
            nodes: {
              img: { type: 'LoadImage', params: { image: `big-${i}.png` } },
              prev: { type: 'PreviewImage', inputs: { images: { node: 'img', output: 'image' } } },
            },
          },
        });
      }
      busyWith = `LoadImage→PreviewImage of ${images} 2048² PNGs`;
    }
    const r = await autocannon({ url: `${server.url}/api/trpc/jobs.list`, duration: seconds, connections: 10 });
    const jobs = await api.jobs.list.query();
    const ran = jobs.filter((j) => j.status !== 'queued' && j.id !== warm.id).length;
    const lines = [
      `jobs.list under load (${seconds} s, 10 connections, loopback; worker busy with ${busyWith}; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}):`,
      `  p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms, ${r.requests.total} requests (${Math.round(r.requests.average)} req/s), errors ${r.errors + r.non2xx}`,
    ];
    for (const l of lines) console.log(l);
    let comfy: ComfyLoadResult | null = null;
    if (haveGolden) {
      // the ComfyUI part brings its own sampling prompt: stop this one first
      for (const j of await api.jobs.list.query({ status: 'running' })) await api.jobs.cancel.mutate({ id: j.id });
      for (const j of await api.jobs.list.query({ status: 'queued' })) await api.jobs.cancel.mutate({ id: j.id });
      while ((await api.jobs.list.query({ status: 'running' })).length > 0) await new Promise((res) => setTimeout(res, 100));
      comfy = await comfyLoad({ url: server.url, clients: 50, jobsPerClient: 2, seconds });
      const head = `ComfyUI API (${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}):`;
      console.log(head);
      for (const l of comfy.lines) console.log(`  ${l}`);
      lines.push(head, ...comfy.lines.map((l) => `  ${l}`));
    } else {
      lines.push('ComfyUI API part skipped: it needs the golden tiny-sd1 fixture (../shared/golden)');
      console.log(lines.at(-1));
    }
    return {
      p50: r.latency.p50,
      p99: r.latency.p99,
      max: r.latency.max,
      requests: r.requests.total,
      rps: r.requests.average,
      errors: r.errors + r.non2xx,
      jobsRunDuringLoad: ran,
      comfy,
      lines,
    };
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, run);
