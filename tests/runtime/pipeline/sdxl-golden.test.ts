/** SDXL text-to-image through the engine against tiny-sdxl pipe_q (ComfyUI KSampler, cfg 7.0, seed 3533, scale 0.13025). */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sessionCache } from '../../../server/runtime/onnx/session-cache';
import { TorchGenerator } from '../../../server/runtime/sampling';
import { describeGolden, golden } from '../../helpers/golden';
import { readGoldenTensors, type GoldenTensor } from '../../helpers/read-golden';
import { engineRunner, maxAbs, maxAbsDiff, pipelineRoot, readLatentFile, readPngChw, type PipelineRoot } from './support';
import { txt2imgWorkflow } from './workflows';

const SCALE = 0.13025;
const CKPT = 'tiny-sdxl.safetensors';

describeGolden('tiny-sdxl text-to-image through the engine (pipe_q goldens)', () => {
  let g: Map<string, GoldenTensor>;
  let root: PipelineRoot;
  const get = (k: string) => {
    const v = g.get(k);
    if (!v) throw new Error(`golden ${k} missing`);
    return v.data as Float32Array;
  };

  beforeAll(async () => {
    g = await readGoldenTensors(golden('tiny-sdxl', 'golden.safetensors'));
    root = pipelineRoot({ [`checkpoints/${CKPT}`]: golden('tiny-sdxl', 'model.safetensors') });
    process.env.LOOM_CACHE_DIR = path.join(root.root, 'weight-cache');
  });
  afterAll(async () => {
    await sessionCache.clear();
    root.cleanup();
  });

  it('seed 3533 noise, latent within 1e-3·max of pipe_q.latent_out, PNG within 2/255 of pipe_q.image', async () => {
    expect(maxAbsDiff(new TorchGenerator(3533).randn([1, 4, 8, 8]), get('pipe_q.noise'))).toBe(0);
    const engine = engineRunner(root.paths);
    const files = await engine.run(txt2imgWorkflow({ checkpoint: CKPT, seed: 3533, cfg: 7.0 }));
    const lat = await readLatentFile(path.join(root.paths.output, files.find((f) => f.kind === 'latent')!.path));
    const modelSpace = Float32Array.from(lat.data, (v) => v * SCALE);
    const ref = get('pipe_q.latent_out');
    const rel = maxAbsDiff(modelSpace, ref) / maxAbs(ref);
    const relSigma0 = maxAbsDiff(modelSpace, get('pipe_q_sigma0.latent_out')) / maxAbs(ref);
    const img = readPngChw(path.join(root.paths.output, files.find((f) => f.kind === 'image')!.path));
    const imgErr = maxAbsDiff(img.data, get('pipe_q.image'));
    console.log(
      `[pipeline] sdxl latent vs pipe_q.latent_out ${rel.toExponential(3)} of max ${maxAbs(ref).toFixed(2)} (vs sigma0 start ${relSigma0.toExponential(3)}); PNG ${(imgErr * 255).toFixed(3)}/255`,
    );
    expect(rel).toBeLessThanOrEqual(1e-3);
    expect(relSigma0).toBeGreaterThan(1e-3);
    expect(imgErr).toBeLessThanOrEqual(2 / 255);
  });
});
