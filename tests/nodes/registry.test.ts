/**
 * Registration-time checks (as chaiNNer's node_check): every node folder registers, its schema is well-formed plain
 * data, and a node that ComfyUI has keeps ComfyUI's class id, input names/order/types and output names/types.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistry, NODES_DIR, nodeFolders, REGISTRY } from '../../nodes/registry';
import { hasControlWidget, isWidgetSpec, PARAM_KINDS, paramSocketType, SOCKET_TYPES } from '../../nodes/types';
import { SAMPLER_NAMES, SCHEDULER_NAMES } from '../../server/runtime/sampling/names';
import { SAMPLERS } from '../../server/runtime/sampling/samplers';
import { resolvePaths } from '../../server/config/paths';
import { Engine } from '../../server/scheduler/engine';
import { createInProcessExecutor } from '../../server/scheduler/inprocess-executor';
import { readGoldenTensors } from '../helpers/read-golden';
import vocabulary from './fixtures/comfy-vocabulary.json';

type ComfyClass = { inputs: string[][]; outputs: [string, string][]; output_node?: boolean };
const COMFY = vocabulary.classes as unknown as Record<string, ComfyClass>;
/** Our nodes ComfyUI runs in its frontend only (no backend class): they never execute here either. */
const FRONTEND_ONLY = ['Note', 'MarkdownNote', 'PrimitiveNode'];

describe('node registry', () => {
  it('is built from the node folders: one folder, one node type, named by its id', () => {
    const folders = nodeFolders(NODES_DIR).map((f) => path.basename(f));
    expect(REGISTRY.list.map((s) => s.id).sort()).toEqual(folders.sort());
    for (const id of folders) {
      expect(fs.existsSync(path.join(NODES_DIR, id, 'schema.ts')), `${id}/schema.ts`).toBe(true);
      expect(REGISTRY.implementation(id)?.schema.id).toBe(id);
    }
  });

  it('schemas are well-formed plain data', () => {
    for (const s of REGISTRY.list) {
      expect(JSON.parse(JSON.stringify(s)), s.id).toEqual(s);
      for (const io of [...s.inputs, ...s.outputs]) expect(SOCKET_TYPES, s.id).toContain(io.type);
      expect(s.io.filter((i) => !isWidgetSpec(i))).toEqual(s.inputs);
      expect(s.io.filter(isWidgetSpec)).toEqual(s.params);
      for (const p of s.params) {
        expect(PARAM_KINDS).toContain(p.kind);
        if (p.kind === 'number' || p.kind === 'int') expect(p.default >= p.min && p.default <= p.max, `${s.id}.${p.name}`).toBe(true);
        if (p.kind === 'select') expect(p.options, `${s.id}.${p.name}`).toContain(p.default);
      }
      expect(new Set(s.io.map((i) => i.name)).size, s.id).toBe(s.io.length);
      expect(new Set(s.outputs.map((o) => o.name)).size, s.id).toBe(s.outputs.length);
    }
  });

  it("every node ComfyUI has uses ComfyUI's class id, input names, order and types, and output names and types", () => {
    for (const s of REGISTRY.list) {
      const comfy = COMFY[s.id];
      if (!comfy) {
        expect(FRONTEND_ONLY, `${s.id} is neither a ComfyUI class nor a known frontend node`).toContain(s.id);
        continue;
      }
      const ours = s.io.map((i) => [
        i.name,
        isWidgetSpec(i) ? paramSocketType(i) : i.type,
        ...(i.optional ? ['optional'] : []),
        ...(isWidgetSpec(i) && hasControlWidget(i) ? ['control'] : []),
      ]);
      expect(ours, `${s.id} inputs`).toEqual(comfy.inputs);
      expect(
        s.outputs.map((o) => [o.name, o.type]),
        `${s.id} outputs`,
      ).toEqual(comfy.outputs);
      expect(s.output === true, `${s.id} output node`).toBe(comfy.output_node === true);
    }
    for (const s of REGISTRY.list) for (const a of s.aliases ?? []) expect(COMFY[a.id], `alias ${a.id}`).toBeDefined();
  });

  it('one list of sampler and scheduler names: the runtime implements every one the schemas offer', () => {
    const offered = REGISTRY.schemas.KSampler.params.find((p) => p.name === 'sampler_name');
    expect(offered?.kind === 'select' && offered.options).toEqual(SAMPLER_NAMES);
    for (const n of SAMPLER_NAMES) expect(n in SAMPLERS || n.endsWith('_gpu'), n).toBe(true);
    expect(SCHEDULER_NAMES).toContain('kl_optimal');
  });

  it('a node added by a test fixture is exactly one folder: registered, validated and run end to end', async () => {
    const fixtures = path.resolve(__dirname, '../fixtures/nodes');
    const registry = await loadRegistry([NODES_DIR, fixtures]);
    expect(registry.schemas.FixtureScaleLatent?.title).toBe('Scale Latent (test fixture)');
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-fixture-node-'));
    const paths = resolvePaths({ root });
    const engine = new Engine({ paths, executor: createInProcessExecutor(paths, registry), durable: false, registry });
    const wf = {
      format: 'latentloom.workflow',
      version: 2,
      nodes: {
        e: { type: 'EmptyLatentImage', params: { width: 16, height: 16, batch_size: 1 } },
        k: { type: 'PrimitiveFloat', params: { value: 3 } },
        x: {
          type: 'FixtureScaleLatent',
          params: { factor: 0.5 },
          inputs: { samples: { node: 'e', output: 'LATENT' }, factor: { node: 'k', output: 'FLOAT' } },
        },
        s: { type: 'SaveLatent', params: { filename_prefix: 'fx' }, inputs: { samples: { node: 'x', output: 'LATENT' } } },
      },
    };
    const bad = await engine.prepare({
      ...wf,
      nodes: { ...wf.nodes, x: { ...wf.nodes.x, inputs: { samples: wf.nodes.x.inputs.samples }, params: { factor: 99 } } },
    });
    expect(bad.errors).toMatchObject([{ code: 'VALUE_OUT_OF_RANGE', nodeId: 'x', input: 'factor' }]);
    const { job } = await engine.enqueue(wf);
    await engine.idle();
    const done = await engine.get(job.id);
    expect(done?.status, done?.error?.message).toBe('finished');
    const t = await readGoldenTensors(path.join(paths.output, done!.files[0].path));
    expect(t.get('latent_tensor')?.shape).toEqual([1, 4, 2, 2]);
    await engine.close();
  });
});
