/** The text-to-image example on the tiny SD1 fixture, through the CLI (in-process) and the HTTP API (worker thread). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { describeGolden, golden } from '../helpers/golden';
import { runCommand } from '../../server/cli/commands/run';
import { readWorkflowFromPng } from '../../nodes/workflow/png-text';
import { parseWorkflow } from '../../nodes/workflow/migrate';
import { client, readEvents, startServer, type ServerProcess } from './server-process';

const EXAMPLE = path.resolve(import.meta.dirname, '../../public/workflows/text-to-image.json');
const SMALL = { 'latent.width': 64, 'latent.height': 64, 'sampler.steps': 4 };

function dataDirWithModels(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-t2i-'));
  fs.mkdirSync(path.join(dir, 'models', 'checkpoints'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'models', 'clip'), { recursive: true });
  fs.symlinkSync(golden('tiny-sd1', 'model.safetensors'), path.join(dir, 'models', 'checkpoints', 'tiny-sd1.safetensors'));
  fs.symlinkSync(golden('clip', 'bpe_simple_vocab_16e6.txt.gz'), path.join(dir, 'models', 'clip', 'bpe_simple_vocab_16e6.txt.gz'));
  return dir;
}

let server: ServerProcess | undefined;
const dirs: string[] = [];
afterAll(async () => {
  await server?.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describeGolden('text-to-image on tiny-sd1', () => {
  it('runs through the CLI and the PNG carries the workflow', async () => {
    const dir = dataDirWithModels();
    dirs.push(dir);
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const prev = process.env.LOOM_DATA_DIR;
    process.env.LOOM_DATA_DIR = dir;
    const code = await runCommand(EXAMPLE, { set: Object.entries(SMALL).map(([k, v]) => `${k}=${v}`) }).finally(() => {
      process.env.LOOM_DATA_DIR = prev;
      vi.restoreAllMocks();
    });
    expect(code).toBe(0);
    const png = out.join('').trim();
    const wf = readWorkflowFromPng(fs.readFileSync(png));
    const expected = parseWorkflow(JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')));
    expected.nodes.latent.params = { ...expected.nodes.latent.params, width: 64, height: 64 };
    expected.nodes.sampler.params = { ...expected.nodes.sampler.params, steps: 4 };
    expect(wf).toEqual(expected);
  });

  it('runs through the tRPC HTTP API with sampler progress, and the PNG loads back to the job workflow', async () => {
    const dir = dataDirWithModels();
    dirs.push(dir);
    server = await startServer(dir);
    const api = client(server.url);
    const { id } = await api.jobs.enqueue.mutate({ workflow: JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')), overrides: SMALL });
    const events = await readEvents(
      server.url,
      { jobId: id, lastEventId: '0' },
      (e) => e.data.type === 'job.finished' || e.data.type === 'job.failed',
    );
    expect(events.at(-1)?.data.type).toBe('job.finished');
    // sampler steps; a 'loading model' stage (0/1, 1/1) may come first while the UNet builds
    const progress = events.filter((e) => e.data.type === 'node.progress');
    expect(progress.filter((e) => !(e.data as { stage?: string }).stage)).toHaveLength(4);
    expect(progress.filter((e) => (e.data as { stage?: string }).stage).length % 2).toBe(0);
    const job = await api.jobs.get.query({ id });
    const res = await fetch(`${server.url}/outputs/${job.files[0].path}`);
    expect(readWorkflowFromPng(new Uint8Array(await res.arrayBuffer()))).toEqual(job.workflow);
    // same seed, new steps: the checkpoint and prompts come from the cache
    const again = await api.jobs.enqueue.mutate({ workflow: job.workflow, overrides: { 'sampler.seed': 43 } });
    const second = await readEvents(
      server.url,
      { jobId: again.id, lastEventId: '0' },
      (e) => e.data.type === 'job.finished' || e.data.type === 'job.failed',
    );
    const cached = second
      .filter((e) => e.data.type === 'node.cached')
      .map((e) => (e.data as { nodeId?: string }).nodeId)
      .sort();
    expect(cached).toEqual(['ckpt', 'latent', 'neg', 'pos']);
  });
});
