/**
 * v1 MergeCheckpoints → ComfyUI merge nodes is lossless: for every mode, the migrated graph writes (via CheckpointSave)
 * the weights the v1 node's formula gives, on the tiny-sd1 pair.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseWorkflow } from '../../../nodes/workflow';
import { sessionCache } from '../../../server/runtime/onnx/session-cache';
import { describeGolden, golden } from '../../helpers/golden';
import { openSafetensors } from '../../../server/runtime/io/safetensors';
import { toFloat32 } from '../../../server/runtime/io/dtype';
import { engineRunner, pipelineRoot, type PipelineRoot } from '../../runtime/pipeline/support';

type V1Params = Record<string, string | number>;
const CASES: [string, V1Params, (a: number, b: number, c: number, name: string) => number][] = [
  ['weighted_sum 0.3', { mode: 'weighted_sum', model_ratio: 0.3, clip_ratio: 0.3 }, (a, b) => a * 0.3 + b * 0.7],
  ['add', { mode: 'add' }, (a, b) => a + b],
  ['subtract 1', { mode: 'subtract', model_ratio: 1, clip_ratio: 1 }, (a, b) => a - b],
  ['subtract 0.4', { mode: 'subtract', model_ratio: 0.4, clip_ratio: 0.4 }, (a, b) => a - 0.4 * b],
  ['add_difference 1', { mode: 'add_difference', model_ratio: 1, clip_ratio: 1 }, (a, b, c) => a + (b - c)],
  ['add_difference 0.5', { mode: 'add_difference', model_ratio: 0.5, clip_ratio: 0.5 }, (a, b, c) => a + 0.5 * (b - c)],
  [
    'blocks 0.2/0.5/0.8',
    { mode: 'blocks', input_ratio: 0.2, middle_ratio: 0.5, out_ratio: 0.8, clip_ratio: 0.6 },
    (a, b, _c, name) => {
      const r = name.startsWith('model.diffusion_model.middle')
        ? 0.5
        : name.startsWith('model.diffusion_model.out')
          ? 0.8
          : name.startsWith('model.diffusion_model.')
            ? 0.2
            : 0.6;
      return a * r + b * (1 - r);
    },
  ],
];

const PROBES = [
  'model.diffusion_model.input_blocks.4.1.proj_in.weight',
  'model.diffusion_model.middle_block.1.proj_out.bias',
  'model.diffusion_model.out.2.weight',
  'cond_stage_model.transformer.text_model.encoder.layers.0.self_attn.q_proj.weight',
];

function v1Workflow(params: V1Params) {
  const ck = (file: string) => ({ type: 'LoadCheckpoint', version: 1, params: { file, prediction: 'auto' }, inputs: {} });
  const L = (node: string, output: string) => ({ node, output });
  return {
    format: 'latentloom.workflow',
    version: 1,
    nodes: {
      a: ck('a.safetensors'),
      b: ck('b.safetensors'),
      c: ck('a.safetensors'),
      merge: {
        type: 'MergeCheckpoints',
        version: 1,
        params,
        inputs: {
          model_a: L('a', 'model'),
          model_b: L('b', 'model'),
          model_c: L('c', 'model'),
          clip_a: L('a', 'clip'),
          clip_b: L('b', 'clip'),
          clip_c: L('c', 'clip'),
        },
      },
      save: {
        type: 'SaveCheckpoint',
        version: 1,
        params: { filename_prefix: 'merged' },
        inputs: { model: L('merge', 'model'), clip: L('merge', 'clip'), vae: L('a', 'vae') },
      },
    },
  };
}

async function probes(file: string): Promise<Map<string, Float32Array>> {
  const st = await openSafetensors(file);
  const out = new Map<string, Float32Array>();
  for (const name of PROBES) {
    const t = st.tensors.get(name);
    if (!t) throw new Error(`${file} has no ${name}`);
    out.set(name, toFloat32(await t.read(), t.dtype));
  }
  return out;
}

describeGolden('v1 MergeCheckpoints migrates to ComfyUI merge nodes computing the same weights', () => {
  let root: PipelineRoot;
  let a: Map<string, Float32Array>;
  let b: Map<string, Float32Array>;
  beforeAll(async () => {
    root = pipelineRoot({
      'checkpoints/a.safetensors': golden('tiny-sd1', 'model.safetensors'),
      'checkpoints/b.safetensors': golden('tiny-sd1', 'model_b.safetensors'),
    });
    process.env.LOOM_CACHE_DIR = path.join(root.root, 'weight-cache');
    [a, b] = await Promise.all([probes(golden('tiny-sd1', 'model.safetensors')), probes(golden('tiny-sd1', 'model_b.safetensors'))]);
  });
  afterAll(async () => {
    await sessionCache.clear();
    root.cleanup();
  });

  it.each(CASES)('%s', async (_label, params, formula) => {
    const wf = parseWorkflow(v1Workflow(params));
    expect(Object.values(wf.nodes).some((n) => n.type === 'MergeCheckpoints')).toBe(false);
    const engine = engineRunner(root.paths);
    const files = await engine.run(wf);
    const out = await probes(path.join(root.paths.output, files[0].path));
    for (const name of PROBES) {
      const [x, y, got] = [a.get(name)!, b.get(name)!, out.get(name)!];
      let err = 0;
      for (let i = 0; i < got.length; i++) {
        const want = formula(x[i], y[i], x[i], name);
        // the file keeps the source dtype (fp16): within one fp16 rounding of the exact value
        err = Math.max(err, Math.abs(got[i] - want) / Math.max(1, Math.abs(want)));
      }
      expect(err, name).toBeLessThan(1e-3);
    }
  });
});
