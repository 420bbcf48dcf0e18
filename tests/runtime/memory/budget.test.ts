import { describe, expect, it } from 'vitest';
import { configuredBudget, isOutOfMemory, MemoryLimitError, memoryBudget } from '../../../server/runtime/memory/budget';
import { largestTileBytes, unetWorkingBytes, vaeDecodeBytes } from '../../../server/runtime/memory/estimate';

describe('memory budget', () => {
  it('reads LOOM_MAX_JOB_MEMORY in GiB and names it when malformed', () => {
    expect(configuredBudget({ LOOM_MAX_JOB_MEMORY: '1.5' })).toBe(1.5 * 2 ** 30);
    expect(configuredBudget({})).toBeUndefined();
    expect(() => configuredBudget({ LOOM_MAX_JOB_MEMORY: 'lots' })).toThrow(MemoryLimitError);
    expect(() => configuredBudget({ LOOM_MAX_JOB_MEMORY: '-1' })).toThrow(/LOOM_MAX_JOB_MEMORY="-1": expected a positive number of GiB/);
  });

  it('on the CPU the budget is what is free; a GPU has none unless configured', () => {
    const cpu = memoryBudget('cpu', {});
    expect(cpu).toBeGreaterThan(0);
    expect(cpu).toBeLessThan(Number.POSITIVE_INFINITY);
    expect(memoryBudget('cuda', {})).toBe(Number.POSITIVE_INFINITY);
    expect(memoryBudget('webgpu', { LOOM_MAX_JOB_MEMORY: '8' })).toBe(8 * 2 ** 30);
  });

  it('tells allocation failures from other errors', () => {
    expect(isOutOfMemory(new Error('Failed to allocate memory for requested buffer of size 17179869184'))).toBe(true);
    expect(isOutOfMemory(new RangeError('Array buffer allocation failed'))).toBe(true);
    expect(isOutOfMemory(new Error('vae: missing weight decoder.conv_in.weight'))).toBe(false);
  });

  it('estimates the SD VAE decode as measured: ~1.4 GiB at 512², ~3.7 GiB at 1024², over 24 GB at 2048²', () => {
    const at = (px: number) => vaeDecodeBytes(px / 8, px / 8) / 2 ** 30;
    expect(at(512)).toBeGreaterThan(1.3);
    expect(at(512)).toBeLessThan(1.6);
    expect(at(1024)).toBeGreaterThan(3.6);
    expect(at(1024)).toBeLessThan(4.2);
    expect(at(2048) * 2 ** 30).toBeGreaterThan(24e9);
    // a tile never costs more than the whole image
    expect(largestTileBytes(20, 20, 64, 64, (h, w) => vaeDecodeBytes(h, w))).toBe(vaeDecodeBytes(20, 20));
    expect(largestTileBytes(256, 256, 64, 64, (h, w) => vaeDecodeBytes(h, w))).toBeLessThan(vaeDecodeBytes(256, 256) / 10);
  });
});

describe('UNet working memory', () => {
  const sd1 = { modelChannels: 320, channelMult: [1, 2, 4, 4], transformerDepth: [1, 1, 1, 0], heads: { numHeads: 8 } };
  it('fused attention: about linear in pixels × rows, as measured (1.1 GiB at 1024², cfg batch 2)', () => {
    const at1024 = unetWorkingBytes(sd1, 128, 128, 2, 'fused') / 2 ** 30;
    expect(at1024).toBeGreaterThan(1.1);
    expect(at1024).toBeLessThan(1.8);
    expect(unetWorkingBytes(sd1, 256, 256, 2, 'fused')).toBeLessThan(16e9);
  });
  it('standard attention adds the [rows, heads, T, T] scores: 2048² is out of reach', () => {
    expect(unetWorkingBytes(sd1, 256, 256, 2, 'standard')).toBeGreaterThan(200e9);
    expect(unetWorkingBytes(sd1, 64, 64, 2, 'standard') - unetWorkingBytes(sd1, 64, 64, 2, 'fused')).toBe(2 * 4 * 2 * 8 * 4096 * 4096);
  });
});
