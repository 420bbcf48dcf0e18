import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { openSafetensors, SafetensorsError } from '@/server/runtime/io/safetensors';
import { buildHeader } from '@/server/runtime/io/safetensors-write';
import { mulberry32 } from '../../helpers/prng';
import { scratchDir } from './st-fixtures';

const tmp = scratchDir('st-fuzz');
afterAll(() => tmp.cleanup());

/** seeded, so every run mutates the same way */
const prng = mulberry32;

function validFile(): Buffer {
  const tensors = [
    { name: 'w', dtype: 'F32' as const, shape: [2, 3] },
    { name: 'h', dtype: 'F16' as const, shape: [5] },
    { name: 's', dtype: 'I64' as const, shape: [] },
    { name: 'z', dtype: 'F32' as const, shape: [0] },
  ];
  const header = buildHeader(tensors, { format: 'pt' });
  const data = Buffer.alloc(24 + 10 + 8);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) & 0xff;
  return Buffer.concat([header, data]);
}

describe('safetensors reader under 500 seeded mutations', () => {
  it('either reads every tensor or refuses with SafetensorsError', async () => {
    const base = validFile();
    const rand = prng(20261122);
    const pick = (n: number) => Math.floor(rand() * n);
    const headerEnd = 8 + Number(base.readBigUInt64LE(0));
    const outcomes = { read: 0, refused: 0 };
    for (let i = 0; i < 500; i++) {
      let buf = Buffer.from(base);
      const kind = i % 5;
      if (kind === 0) {
        // flip bytes inside the header, where the structure is
        for (let k = 0, m = 1 + pick(3); k < m; k++) buf[8 + pick(headerEnd - 8)] ^= 1 << pick(8);
      } else if (kind === 1) {
        // replace a header byte with a JSON-significant character
        const chars = '{}[],:"0123456789-e. \\';
        buf[8 + pick(headerEnd - 8)] = chars.charCodeAt(pick(chars.length));
      } else if (kind === 2) {
        buf = buf.subarray(0, pick(buf.length));
      } else if (kind === 3) {
        const choices = [0n, 1n, 7n, BigInt(headerEnd - 8 + pick(9) - 4), 2n ** 63n, 100_000_001n, BigInt(pick(1 << 20))];
        buf.writeBigUInt64LE(choices[pick(choices.length)], 0);
      } else {
        // flip anywhere, or append bytes
        if (rand() < 0.5) buf[pick(buf.length)] ^= 0xff;
        else buf = Buffer.concat([buf, Buffer.alloc(1 + pick(8))]);
      }
      const path = tmp.file(`m${i}.safetensors`);
      writeFileSync(path, buf);
      try {
        const f = await openSafetensors(path);
        for (const t of f.tensors.values()) {
          const bytes = await t.read();
          expect(bytes.length).toBe(t.file!.length);
          expect(t.file!.offset + t.file!.length).toBeLessThanOrEqual(buf.length);
        }
        outcomes.read++;
      } catch (e) {
        if (!(e instanceof SafetensorsError)) throw new Error(`mutation ${i} (kind ${kind}) threw ${String(e)}`);
        outcomes.refused++;
      }
    }
    // both outcomes must occur or the mutations prove nothing
    expect(outcomes.refused).toBeGreaterThan(200);
    expect(outcomes.read).toBeGreaterThan(5);
  });
});
