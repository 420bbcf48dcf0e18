import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openAtomic, TEMP_PREFIX, writeFileAtomic } from '@/server/io/atomic-write';
import { PathEscapeError } from '@/server/config/real-path';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-atomic-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));
const temps = (dir: string) => fs.readdirSync(dir).filter((n) => n.startsWith(TEMP_PREFIX));

describe('writeFileAtomic', () => {
  it('writes the whole file, creating folders, and leaves no temp file', async () => {
    const file = path.join(base, 'a', 'b', 'out.png');
    expect(await writeFileAtomic(file, Buffer.from('hello'))).toBe(file);
    expect(fs.readFileSync(file, 'utf8')).toBe('hello');
    expect(temps(path.dirname(file))).toEqual([]);
  });

  it('replaces atomically under 40 concurrent writers: the file is always exactly one of them', async () => {
    const file = path.join(base, 'race.json');
    const bodies = Array.from({ length: 40 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(10_000 * (i % 5)) }));
    await Promise.all(bodies.map((b) => writeFileAtomic(file, b)));
    expect(bodies).toContain(fs.readFileSync(file, 'utf8'));
    expect(temps(base)).toEqual([]);
  });

  it('removes its temp file when the rename fails and leaves the target as it was', async () => {
    const target = path.join(base, 'occupied');
    fs.mkdirSync(path.join(target, 'child'), { recursive: true });
    await expect(writeFileAtomic(target, 'data')).rejects.toMatchObject({ code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/) });
    expect(temps(base)).toEqual([]);
    expect(fs.statSync(target).isDirectory()).toBe(true);
  });

  it('with a root, refuses a name whose real path leaves it and writes nothing outside', async () => {
    const root = path.join(base, 'root');
    const outside = path.join(base, 'outside');
    fs.mkdirSync(root);
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(root, 'link'));
    await expect(writeFileAtomic('link/x.png', 'x', { root })).rejects.toBeInstanceOf(PathEscapeError);
    await expect(writeFileAtomic('../x.png', 'x', { root })).rejects.toBeInstanceOf(PathEscapeError);
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(await writeFileAtomic('sub/ok.png', 'ok', { root })).toBe(path.join(fs.realpathSync(root), 'sub', 'ok.png'));
  });

  it('openAtomic: abort removes the temp file, commit after abort refuses', async () => {
    const pending = await openAtomic(path.join(base, 'aborted.bin'));
    await pending.handle.write(Buffer.alloc(1000));
    expect(fs.existsSync(pending.tempPath)).toBe(true);
    await pending.abort();
    expect(fs.existsSync(pending.tempPath)).toBe(false);
    expect(fs.existsSync(pending.target)).toBe(false);
    await expect(pending.commit()).rejects.toThrow(/aborted/);
  });
});
