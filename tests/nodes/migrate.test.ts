import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { insertTextChunks } from '../../nodes/_io/png';
import { parseWorkflow, readWorkflowFromPng, WorkflowFormatError } from '../../nodes/workflow';
import { validateWorkflow } from '../../server/scheduler/validate';
import { SCHEMAS } from '../scheduler/fixtures';

/** A workflow as the v0 prototype wrote it: node array, links as bare [node, output] pairs. */
const V0 = {
  format: 'latentloom.workflow',
  version: 0,
  nodes: [
    { id: 'l', type: 'EmptyLatent', params: { width: 64, height: 64 }, x: 10, y: 20 },
    { id: 's', type: 'SaveLatent', params: {}, links: { samples: ['l', 'latent'] } },
  ],
  meta: { title: 'old' },
};
const V1_DIR = path.resolve(import.meta.dirname, '../fixtures/v1');
const V1_FILES = fs
  .readdirSync(V1_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const v1 = (file: string) =>
  JSON.parse(fs.readFileSync(path.join(V1_DIR, file), 'utf8')) as {
    version: number;
    nodes: Record<string, { type: string; params: Record<string, unknown>; inputs: Record<string, { node: string; output: string }> }>;
  };
const everyModel = { findModel: () => ({ ok: true }) as const, inputFileExists: () => true };

describe('workflow migrations', () => {
  it('migrates v0 through v1 to v2', () => {
    const wf = parseWorkflow(V0);
    expect(wf.version).toBe(2);
    expect(wf.nodes.l.type).toBe('EmptyLatentImage');
    expect(wf.nodes.s.inputs.samples).toEqual({ node: 'l', output: 'LATENT' });
    expect(wf.nodes.l.ui).toEqual({ x: 10, y: 20 });
    expect(wf.meta?.title).toBe('old');
  });

  it.each(V1_FILES)('v1 %s migrates to a valid v2 graph keeping every value and link', (file) => {
    const old = v1(file);
    expect(old.version).toBe(1);
    const wf = parseWorkflow(old);
    expect(validateWorkflow(wf, SCHEMAS, everyModel)).toEqual([]);
    for (const [id, n] of Object.entries(old.nodes)) {
      if (n.type === 'MergeCheckpoints') continue; // expanded into merge nodes (numbers checked in tests/nodes/ml/migrate-merge.test.ts)
      const migrated = wf.nodes[id];
      expect(migrated, id).toBeDefined();
      const values = Object.entries(n.params)
        .filter(([k]) => k !== 'prediction')
        .map(([, v]) => (typeof v === 'boolean' && n.type === 'KSamplerAdvanced' ? (v ? 'enable' : 'disable') : v));
      expect(Object.values(migrated.params).sort(), `${id} params`).toEqual(values.sort());
      for (const [input, link] of Object.entries(n.inputs)) {
        const src = old.nodes[link.node];
        const now = migrated.inputs[input];
        expect(now, `${id}.${input}`).toBeDefined();
        if (src.type !== 'MergeCheckpoints') expect(now).toEqual({ node: link.node, output: link.output.toUpperCase() });
      }
    }
  });

  it("LoadCheckpoint's prediction override becomes a ModelSamplingDiscrete after it, feeding what the model fed", () => {
    const old = v1('text-to-image.json');
    old.nodes.ckpt.params.prediction = 'v_prediction';
    const wf = parseWorkflow(old);
    const ms = Object.entries(wf.nodes).find(([, n]) => n.type === 'ModelSamplingDiscrete');
    expect(ms?.[1]).toMatchObject({ params: { sampling: 'v_prediction' }, inputs: { model: { node: 'ckpt', output: 'MODEL' } } });
    expect(wf.nodes.sampler.inputs.model).toEqual({ node: ms![0], output: 'MODEL' });
    expect(wf.nodes.ckpt.params).toEqual({ ckpt_name: 'tiny-sd1.safetensors' });
  });

  it('a v1 PNG written by the old SaveImage loads as v2', () => {
    const png = PNG.sync.write(new PNG({ width: 1, height: 1 }));
    const wf = readWorkflowFromPng(insertTextChunks(png, [['latentloom.workflow', JSON.stringify(v1('text-to-image.json'))]]));
    expect(wf?.version).toBe(2);
    expect(wf?.nodes.ckpt.type).toBe('CheckpointLoaderSimple');
  });

  it('a journal written before v2 keeps its jobs (stored workflows migrate on read)', async () => {
    const { jobRecordSchema } = await import('../../server/scheduler/job');
    const job = jobRecordSchema.parse({ id: 'j', status: 'finished', workflow: v1('text-to-image.json'), createdAt: '2026-11-01T00:00:00Z' });
    expect(job.workflow.nodes.pos.type).toBe('CLIPTextEncode');
  });

  it('refuses versions from the future and other formats', () => {
    expect(() => parseWorkflow({ ...V0, version: 99 })).toThrow(WorkflowFormatError);
    expect(() => parseWorkflow({ format: 'comfy' })).toThrow(/Not a Latent Loom workflow/);
  });

  it('names the bad field', () => {
    expect(() => parseWorkflow({ format: 'latentloom.workflow', version: 2, nodes: { a: { type: 3 } } })).toThrow(/nodes\.a\.type/);
  });
});
