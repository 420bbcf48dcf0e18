/** Shared fixture for pipeline tests: a temp data root with golden models hard-linked in, and an engine runner. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { REGISTRY } from '../../../nodes/registry';
import type { OutputFile } from '../../../nodes/node';
import type { Workflow } from '../../../nodes/workflow/schema';
import { resolvePaths, type LoomPaths } from '../../../server/config/paths';
import type { NodeEventBody } from '../../../server/scheduler/events';
import { executeWorkflow } from '../../../server/scheduler/execute';
import { ModelCache } from '../../../server/runtime/model-cache';
import { OutputCache } from '../../../server/scheduler/output-cache';
import { readGoldenTensors } from '../../helpers/read-golden';

export interface PipelineRoot {
  root: string;
  paths: LoomPaths;
  cleanup(): void;
}

/** Hard link (copy across devices) so the test never writes into the shared golden tree. */
export function placeModel(src: string, dest: string): void {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  try {
    fs.linkSync(src, dest);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    fs.copyFileSync(src, dest);
  }
}

export function pipelineRoot(models: Record<string, string>): PipelineRoot {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-pipe-'));
  for (const [rel, src] of Object.entries(models)) placeModel(src, path.join(root, 'models', rel));
  fs.mkdirSync(path.join(root, 'input'), { recursive: true });
  return { root, paths: resolvePaths({ root }), cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** The engine as the in-process executor runs it, with one output cache across calls (for re-run checks). */
export function engineRunner(paths: LoomPaths) {
  const cache = new OutputCache();
  const models = new ModelCache(4 * 2 ** 30);
  const events: NodeEventBody[] = [];
  const run = async (workflow: Workflow): Promise<OutputFile[]> => {
    events.length = 0;
    const { files } = await executeWorkflow({
      jobId: 'test',
      workflow,
      registry: REGISTRY,
      cache,
      models,
      paths,
      signal: new AbortController().signal,
      emit: (e) => events.push(e),
    });
    return files;
  };
  const started = () =>
    events
      .filter((e) => e.type === 'node.started')
      .map((e) => e.nodeId)
      .sort();
  return { run, events, started, models };
}

/** A .latent file's tensor and whether it carries the current-format marker. */
export async function readLatentFile(file: string): Promise<{ data: Float32Array; shape: number[]; marker: boolean }> {
  const t = await readGoldenTensors(file);
  const lt = t.get('latent_tensor');
  if (!lt) throw new Error(`${file} has no latent_tensor`);
  return { data: lt.data as Float32Array, shape: lt.shape, marker: t.has('latent_format_version_0') };
}

/** PNG → [3, H, W] in 0..1 (the golden image layout, batch 1). */
export function readPngChw(file: string): { data: Float32Array; width: number; height: number } {
  const png = PNG.sync.read(fs.readFileSync(file));
  const { width, height } = png;
  const data = new Float32Array(3 * width * height);
  for (let p = 0; p < width * height; p++) for (let k = 0; k < 3; k++) data[k * width * height + p] = png.data[p * 4 + k] / 255;
  return { data, width, height };
}

export { maxAbs, maxAbsDiff } from '../../helpers/compare';

export const link = (node: string, output: string) => ({ node, output });
