/** A sampling run that cannot fit is refused on its KSampler before the first step, naming the limit. */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ModelCache } from '../../../server/runtime/model-cache';
import { sessionCache } from '../../../server/runtime/onnx/session-cache';
import { describeGolden, golden } from '../../helpers/golden';
import { loaded, nodeCaller } from '../../nodes/ml/support';
import { pipelineRoot, type PipelineRoot } from '../pipeline/support';

describeGolden('UNet memory check (tiny-sd1)', () => {
  let root: PipelineRoot;
  let call: ReturnType<typeof nodeCaller>;
  beforeAll(() => {
    root = pipelineRoot({ 'checkpoints/a.safetensors': golden('tiny-sd1', 'model.safetensors') });
    process.env.LOOM_CACHE_DIR = path.join(root.root, 'weight-cache');
    call = nodeCaller(root.paths, new ModelCache(2 ** 30));
  });
  afterAll(async () => {
    delete process.env.LOOM_MAX_JOB_MEMORY;
    await sessionCache.clear();
    root.cleanup();
  });

  it('a 2048x2048 batch of 4 under a 0.5 GiB budget: a clear refusal, no step run', async () => {
    const { model, clip } = loaded((await call('CheckpointLoaderSimple', { ckpt_name: 'a.safetensors' })).outputs);
    const cond = (await call('CLIPTextEncode', { text: 'a cat' }, { clip })).outputs.CONDITIONING;
    const latent = (await call('EmptyLatentImage', { width: 2048, height: 2048, batch_size: 4 })).outputs.LATENT;
    process.env.LOOM_MAX_JOB_MEMORY = '0.5';
    const steps: number[] = [];
    const run = call('KSampler', { steps: 2 }, { model, positive: cond, negative: cond, latent_image: latent }, new AbortController().signal, (s) =>
      steps.push(s),
    );
    await expect(run).rejects.toThrow(
      /sampling a 2048x2048 image batch of 4 needs about \d+\.\d GiB of working memory and 0\.5 GiB is available .*raise LOOM_MAX_JOB_MEMORY/,
    );
    expect(steps).toEqual([]);
    // the same size fits a budget that holds it
    process.env.LOOM_MAX_JOB_MEMORY = '64';
    const small = (await call('EmptyLatentImage', { width: 64, height: 64, batch_size: 1 })).outputs.LATENT;
    await expect(call('KSampler', { steps: 1 }, { model, positive: cond, negative: cond, latent_image: small })).resolves.toBeDefined();
  });
});
