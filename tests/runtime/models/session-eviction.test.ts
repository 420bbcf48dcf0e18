import { describe, expect, it } from 'vitest';
import { memoryProvider } from '../../helpers/model-weights';
import { randomUNet, rng } from '../../helpers/random-models';
import { createUNet } from '../../../server/runtime/models';
import { sessionCache } from '../../../server/runtime/onnx/session-cache';
import { tempRuntime } from '../../helpers/temp-runtime';

const runtime = tempRuntime('evict');

describe('runners outlive their sessions', () => {
  it('a UNet runner whose session was evicted rebuilds it and gives the same output', async () => {
    const spec = {
      inChannels: 4,
      modelChannels: 32,
      channelMult: [1, 2],
      numResBlocks: 1,
      attentionLevels: [1],
      depth: 1,
      contextDim: 16,
      linearProjection: false,
    };
    const unet = await createUNet(memoryProvider(randomUNet(spec, 3), 'evict-unet'), runtime.cpu);
    const r = rng(4);
    const x = { data: Float32Array.from({ length: 2 * 4 * 8 * 8 }, () => r() - 0.5), shape: [2, 4, 8, 8] };
    const ctx = { data: Float32Array.from({ length: 2 * 3 * 16 }, () => r() - 0.5), shape: [2, 3, 16] };
    const before = await unet.run(x, Float32Array.of(5, 700), ctx);
    // what the engine's model cache sees when other models push this one out of the session cache
    await sessionCache.clear();
    const after = await unet.run(x, Float32Array.of(5, 700), ctx);
    expect(after.data).toEqual(before.data);
    // evicted while a run is in flight: that run completes on the old session
    const running = unet.run(x, Float32Array.of(5, 700), ctx);
    await sessionCache.clear();
    expect((await running).data).toEqual(before.data);
  });
});
