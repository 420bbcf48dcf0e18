import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { autoV2, cachedSha256, sha256File } from '@/server/runtime/checkpoint/hash';
import { scratchDir } from '../io/st-fixtures';

const tmp = scratchDir('hash');
afterAll(() => tmp.cleanup());

describe('file hashes', () => {
  it('sha256File streams to the same digest as hashing the bytes', async () => {
    const p = tmp.file('data.bin');
    const bytes = Buffer.alloc(9 << 20).map((_, i) => (i * 7) & 0xff);
    writeFileSync(p, bytes);
    expect(await sha256File(p)).toBe(createHash('sha256').update(bytes).digest('hex'));
  });
  it('AutoV2 is the first 10 hex digits', () => {
    expect(autoV2('6ce0161689b3853acaa03779ec93eafe75a02f4ced659bee03f50797806fa2fa')).toBe('6CE0161689');
  });
  it('caches by path, size and mtime', async () => {
    const p = tmp.file('cached.bin');
    const cache = tmp.file('cache/hashes.json');
    writeFileSync(p, 'hello');
    const real = await cachedSha256(p, cache);
    expect(real).toBe(createHash('sha256').update('hello').digest('hex'));
    // a planted entry proves the cache is consulted when size and mtime match
    const planted = JSON.parse(readFileSync(cache, 'utf8')) as Record<string, { sha256: string }>;
    const key = Object.keys(planted)[0];
    planted[key].sha256 = 'f'.repeat(64);
    writeFileSync(cache, JSON.stringify(planted));
    expect(await cachedSha256(p, cache)).toBe('f'.repeat(64));
    utimesSync(p, new Date(), new Date(Date.now() + 5000));
    expect(await cachedSha256(p, cache)).toBe(real);
  });
});
