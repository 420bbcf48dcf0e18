/** Every shipped example workflow runs end to end on the tiny models (sizes and steps shrunk for speed). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodePng } from '../../../nodes/_io/png';
import type { Workflow } from '../../../nodes/workflow/schema';
import { sessionCache } from '../../../server/runtime/onnx/session-cache';
import { describeGolden, golden } from '../../helpers/golden';
import { engineRunner, pipelineRoot, type PipelineRoot } from './support';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const examples = fs
  .readdirSync(path.join(repo, 'public/workflows'))
  .filter((f) => f.endsWith('.json') && f !== 'index.json')
  .sort();

/** 64×64 latents and 2 steps: the graph and every param the runners read stay as shipped. */
function shrink(wf: Workflow): Workflow {
  const out = structuredClone(wf);
  for (const n of Object.values(out.nodes)) {
    if (n.type === 'EmptyLatent') Object.assign(n.params, { width: 64, height: 64 });
    if (n.type === 'KSampler' || n.type === 'KSamplerAdvanced') n.params.steps = 2;
  }
  return out;
}

describeGolden('example workflows on the tiny models', () => {
  let root: PipelineRoot;
  beforeAll(() => {
    root = pipelineRoot({
      'checkpoints/tiny-sd1.safetensors': golden('tiny-sd1', 'model.safetensors'),
      'checkpoints/tiny-sdxl.safetensors': golden('tiny-sdxl', 'model.safetensors'),
      'loras/example-lora.safetensors': golden('lora', 'tiny-sd1-lora.safetensors'),
    });
    process.env.LOOM_CACHE_DIR = path.join(root.root, 'weight-cache');
    const data = new Float32Array(64 * 64 * 3).map((_, i) => (i % 97) / 96);
    fs.writeFileSync(path.join(root.paths.input, 'example.png'), encodePng({ shape: [1, 64, 64, 3], data }, 0));
  });
  afterAll(async () => {
    await sessionCache.clear();
    root.cleanup();
  });

  it.each(examples)('%s', async (file) => {
    const wf = JSON.parse(fs.readFileSync(path.join(repo, 'public/workflows', file), 'utf8')) as Workflow;
    const engine = engineRunner(root.paths);
    const files = await engine.run(shrink(wf));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(fs.statSync(path.join(root.paths.output, f.path)).size).toBeGreaterThan(0);
  });
});
