/** The LATENT noise_mask in sampling (inpaint.ts): ComfyUI's reshape_mask and KSamplerX0Inpaint blends. */
import { describe, expect, it } from 'vitest';
import { inpaintDenoiser, prepareDenoiseMask } from '../../../server/runtime/sampling/inpaint';
import { ModelSamplingDiscrete } from '../../../server/runtime/sampling/model-sampling';

const ms = new ModelSamplingDiscrete('eps');

describe('noise mask', () => {
  it('reshape_mask: bilinear (align_corners false) to the latent, repeated over channels and batch', () => {
    // a 2x4 mask [0 0 1 1] per row shrunk to 1x2 averages pairs: [0, 1]
    const m = prepareDenoiseMask({ shape: [1, 1, 2, 4], data: new Float32Array([0, 0, 1, 1, 0, 0, 1, 1]) }, [2, 3, 1, 2]);
    expect(Array.from(m)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    expect(() => prepareDenoiseMask({ shape: [2, 2], data: new Float32Array(3) }, [1, 4, 2, 2])).toThrow(/noise_mask has shape \[2, 2\]/);
  });

  it('KSamplerX0Inpaint: the model sees x·m + (latent + σ·noise)·(1 − m); its output is kept only where m is 1', async () => {
    const latent = new Float32Array([1, 2, 3, 4]);
    const noise = new Float32Array([0.5, -0.5, 0.25, -0.25]);
    const mask = new Float32Array([1, 0, 1, 0]);
    let seen: Float32Array | undefined;
    const inner = async (x: Float32Array) => {
      seen = x;
      return Float32Array.from(x, (v) => v * 10);
    };
    const d = inpaintDenoiser(inner, { modelSampling: ms, mask, noise, latent });
    const x = new Float32Array([7, 7, 7, 7]);
    const out = await d(x, 2);
    expect(Array.from(seen ?? [])).toEqual([7, 2 + 2 * -0.5, 7, 4 + 2 * -0.25]);
    expect(Array.from(out)).toEqual([70, 2, 70, 4]);
    expect(() => inpaintDenoiser(inner, { modelSampling: ms, mask: new Float32Array(3), noise, latent })).toThrow(/sizes differ/);
  });
});
