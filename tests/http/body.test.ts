import { describe, expect, it } from 'vitest';
import { jsonDepth } from '@/server/http/body';
import { sniffUpload } from '@/server/http/sniff';

describe('jsonDepth', () => {
  it.each([
    ['1', 0],
    ['[]', 1],
    ['{"a":[{"b":[]}]}', 4],
    ['["[[[[", "]"]', 1],
    ['["\\"[[[", {"x": "\\\\"}]', 2],
    ['[[[]],[[[]]]]', 4],
  ])('%s -> %i', (text, depth) => {
    expect(jsonDepth(text)).toBe(depth);
    expect(jsonDepth(Buffer.from(text), depth)).toBe(depth);
  });

  it('stops counting once past the limit (linear, early exit)', () => {
    const deep = '['.repeat(1_000_000);
    const t0 = performance.now();
    expect(jsonDepth(deep, 64)).toBe(65);
    expect(performance.now() - t0).toBeLessThan(100);
  });
});

describe('sniffUpload', () => {
  const pad = (b: number[] | Buffer) => Buffer.concat([Buffer.from(b), Buffer.alloc(16)]);
  it('tells PNG, JPEG, WebP and latent (safetensors) apart by magic bytes', () => {
    expect(sniffUpload(pad([137, 80, 78, 71, 13, 10, 26, 10]))).toBe('png');
    expect(sniffUpload(pad([0xff, 0xd8, 0xff, 0xdb]))).toBe('jpeg');
    expect(sniffUpload(pad(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBP')])))).toBe('webp');
    const st = pad(Buffer.concat([Buffer.from([30, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{"')]));
    expect(sniffUpload(st)).toBe('latent');
  });
  it('refuses the rest, and asks for more bytes when it has fewer than 16', () => {
    expect(sniffUpload(pad(Buffer.from('<html><script>')))).toBeNull();
    expect(sniffUpload(pad(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('AVI ')])))).toBeNull();
    expect(sniffUpload(pad([137, 80, 78, 71, 13, 10, 26, 11]))).toBeNull();
    expect(sniffUpload(pad(Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), Buffer.from('{')])))).toBeNull();
    expect(sniffUpload(Buffer.from([137, 80, 78, 71]))).toBe('short');
  });
});
