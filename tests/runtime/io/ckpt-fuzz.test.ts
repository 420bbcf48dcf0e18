import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { openCheckpointFile } from '@/server/runtime/io/checkpoint-file';
import { CheckpointFormatError } from '@/server/runtime/io/ckpt/errors';
import { SafetensorsError } from '@/server/runtime/io/safetensors';
import { unpickle } from '@/server/runtime/io/ckpt/pickle';
import { mulberry32 } from '../../helpers/prng';
import { scratchDir } from './st-fixtures';
import { storedZip, tensorPickle } from './ckpt-fixtures';

const tmp = scratchDir('ckpt-fuzz');
afterAll(() => tmp.cleanup());

const prng = mulberry32;

const pkl = tensorPickle([
  { name: 'w', storage: 'HalfStorage', key: '0', numel: 6, offset: 0, shape: [2, 3], stride: [3, 1] },
  { name: 't', storage: 'HalfStorage', key: '0', numel: 6, offset: 1, shape: [2, 2], stride: [1, 3] },
]);
const storage = new Uint8Array(12).map((_, i) => i);

describe('safe .ckpt reader under seeded mutations', () => {
  it('the unpickler either returns data or throws CheckpointFormatError (400 mutations)', () => {
    const rand = prng(7);
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      const buf = Buffer.from(pkl);
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips; k++) buf[Math.floor(rand() * buf.length)] = Math.floor(rand() * 256);
      const cut = rand() < 0.2 ? buf.subarray(0, Math.floor(rand() * buf.length)) : buf;
      try {
        unpickle(cut, `m${i}`);
      } catch (e) {
        if (!(e instanceof CheckpointFormatError)) throw new Error(`mutation ${i} threw ${String(e)}`);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(200);
  });

  it('the archive reader refuses damaged zips with format errors only (200 mutations)', async () => {
    const base = storedZip([
      ['a/data.pkl', pkl],
      ['a/data/0', storage],
      ['a/version', Buffer.from('3\n')],
    ]);
    const rand = prng(11);
    let read = 0;
    for (let i = 0; i < 200; i++) {
      const buf = Buffer.from(base);
      if (i % 2) buf[Math.floor(rand() * buf.length)] ^= 1 << Math.floor(rand() * 8);
      const bytes = i % 4 === 0 ? buf.subarray(0, Math.floor(rand() * buf.length)) : buf;
      const p = tmp.file(`z${i}.ckpt`);
      writeFileSync(p, bytes);
      try {
        const c = await openCheckpointFile(p);
        for (const t of c.tensors.values()) await t.read();
        read++;
      } catch (e) {
        if (!(e instanceof CheckpointFormatError) && !(e instanceof SafetensorsError)) throw new Error(`mutation ${i} threw ${String(e)}`);
      }
    }
    expect(read).toBeGreaterThan(10);
  });
});
