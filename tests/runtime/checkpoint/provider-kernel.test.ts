import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toFloat32 } from '../../../server/runtime/io/dtype';
import { openSafetensors } from '../../../server/runtime/io/safetensors';
import { writeSafetensors } from '../../../server/runtime/io/safetensors-write';
import { stateDictProvider } from '../../../server/runtime/checkpoint/provider';
import { kernelStats } from '../../../server/runtime/checkpoint/merge-kernel';
import { rng } from '../../helpers/random-models';

const dir = mkdtempSync(path.join(tmpdir(), 'loom-pk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stored half-precision tensors convert through the WASM kernel', () => {
  it('F16 and BF16 give the same bits as the JS table; small tensors stay on the JS path', async () => {
    const r = rng(11);
    const n = (1 << 16) + 5;
    // random 16-bit patterns: every class of value (subnormals, Inf, NaN) shows up
    const raw = (count: number) => {
      const u = Uint16Array.from({ length: count }, () => Math.floor(r() * 65536));
      return new Uint8Array(u.buffer);
    };
    const big16 = raw(n);
    const bigBf = raw(n);
    const small = raw(100);
    const file = path.join(dir, 'half.safetensors');
    await writeSafetensors(file, [
      { name: 'big16', dtype: 'F16', shape: [n], data: async () => big16 },
      { name: 'bigbf', dtype: 'BF16', shape: [n], data: async () => bigBf },
      { name: 'small', dtype: 'F16', shape: [100], data: async () => small },
    ]);
    const p = stateDictProvider((await openSafetensors(file)).tensors, file);
    const same = (a: Float32Array, b: Float32Array) => a.every((v, i) => Object.is(v, b[i]) || (Number.isNaN(v) && Number.isNaN(b[i])));
    for (const [name, bytes, dtype] of [
      ['big16', big16, 'F16'],
      ['bigbf', bigBf, 'BF16'],
    ] as const) {
      const before = kernelStats.tensors;
      const got = await p.float32(name);
      expect(kernelStats.tensors, name).toBe(before + 1);
      expect(same(got, toFloat32(bytes, dtype)), name).toBe(true);
    }
    const before = kernelStats.tensors;
    expect(same(await p.float32('small'), toFloat32(small, 'F16'))).toBe(true);
    expect(kernelStats.tensors).toBe(before);
  });
});
