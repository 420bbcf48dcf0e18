import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelListCache } from '../../server/config/model-list';
import { normalizeModelName, resolveModelName, resolveModelPath } from '../../server/config/model-names';
import { link, tempDir, touch } from './model-tree';

const root = tempDir();
const models = path.join(root, 'models');
const ck = path.join(models, 'checkpoints');
for (const n of [
  'top.safetensors',
  'SD1.5/sd15.safetensors',
  'SD1.5/dreamshaper_8.safetensors',
  'SDXL/Juggernaut-XL.safetensors',
  'SDXL/base/sdxl_base_1.0.safetensors',
  'dup/a/twin.safetensors',
  'dup/b/twin.safetensors',
  'Case.safetensors',
  'case.safetensors',
  'two-ext.ckpt',
  'two-ext.safetensors',
  'v1-5.fp16.safetensors',
]) {
  touch(path.join(ck, n));
}
const paths = { models };
const cache = new ModelListCache();
const resolve = (name: string) => resolveModelName(paths, 'checkpoints', name, cache);

describe('resolveModelName: the spellings ComfyUI users write', () => {
  it.each([
    ['top.safetensors', 'top.safetensors', 'exact'],
    ['SD1.5/sd15.safetensors', 'SD1.5/sd15.safetensors', 'exact'],
    ['SD1.5\\sd15.safetensors', 'SD1.5/sd15.safetensors', 'normalized'], // Windows separators
    ['SDXL\\base\\sdxl_base_1.0.safetensors', 'SDXL/base/sdxl_base_1.0.safetensors', 'normalized'],
    ['./top.safetensors', 'top.safetensors', 'normalized'],
    ['.\\SD1.5\\.\\sd15.safetensors', 'SD1.5/sd15.safetensors', 'normalized'],
    ['SD1.5//sd15.safetensors', 'SD1.5/sd15.safetensors', 'normalized'],
    ['sd1.5/SD15.SAFETENSORS', 'SD1.5/sd15.safetensors', 'case'],
    ['sd15.safetensors', 'SD1.5/sd15.safetensors', 'folder'], // without its folder
    ['juggernaut-xl.safetensors', 'SDXL/Juggernaut-XL.safetensors', 'folder'], // ... and in another case
    ['sdxl_base_1.0', 'SDXL/base/sdxl_base_1.0.safetensors', 'extension'], // without folder or extension
    ['SD1.5/dreamshaper_8', 'SD1.5/dreamshaper_8.safetensors', 'extension'],
    ['top', 'top.safetensors', 'extension'],
    ['v1-5.fp16', 'v1-5.fp16.safetensors', 'extension'], // ".fp16" is not a model extension
    ['Case.safetensors', 'Case.safetensors', 'exact'], // an exact match beats two case-insensitive ones
  ])('%s → %s (%s)', (name, canonical, rule) => {
    expect(resolve(name)).toEqual({ ok: true, name: canonical, path: path.join(ck, canonical), rule });
  });

  it('does not move a name from one named folder to another', () => {
    // "SDXL/sd15.safetensors" must not silently become "SD1.5/sd15.safetensors" (another model family)
    const r = resolve('SDXL/sd15.safetensors');
    expect(r).toMatchObject({ ok: false, reason: 'not-found' });
    expect(!r.ok && r.suggestions).toContain('SD1.5/sd15.safetensors');
  });
});

describe('resolveModelName: ambiguity and misses', () => {
  it('lists the candidates when a looser rule matches more than one file', () => {
    expect(resolve('twin.safetensors')).toEqual({
      ok: false,
      reason: 'ambiguous',
      message: 'checkpoints name "twin.safetensors" matches 2 files: "dup/a/twin.safetensors", "dup/b/twin.safetensors"; write the full name.',
      suggestions: ['dup/a/twin.safetensors', 'dup/b/twin.safetensors'],
    });
    expect(resolve('CASE.safetensors')).toMatchObject({ ok: false, reason: 'ambiguous', suggestions: ['Case.safetensors', 'case.safetensors'] });
    expect(resolve('two-ext')).toMatchObject({ ok: false, reason: 'ambiguous', suggestions: ['two-ext.ckpt', 'two-ext.safetensors'] });
  });

  it('says where it looked and suggests near names', () => {
    const r = resolve('dreamshaper_7.safetensors');
    expect(r).toEqual({
      ok: false,
      reason: 'not-found',
      message: `checkpoints file "dreamshaper_7.safetensors" not found in ${ck} (12 listed). Did you mean "SD1.5/dreamshaper_8.safetensors"?`,
      suggestions: ['SD1.5/dreamshaper_8.safetensors'],
    });
    expect(resolve('completely-unrelated-model-name.safetensors')).toMatchObject({ ok: false, reason: 'not-found', suggestions: [] });
    expect(() => resolveModelPath(paths, 'checkpoints', 'nothing.safetensors', cache)).toThrow(
      /^checkpoints file "nothing.safetensors" not found in /,
    );
    expect(resolveModelPath(paths, 'checkpoints', 'top', cache)).toBe(path.join(ck, 'top.safetensors'));
  });

  it('names every directory searched when there are several', () => {
    const r = resolveModelName(paths, 'clip', 'nope.safetensors', cache);
    expect(!r.ok && r.message).toBe(
      `text_encoders file "nope.safetensors" not found in any of ${path.join(models, 'text_encoders')}, ${path.join(models, 'clip')} (0 listed).`,
    );
  });
});

describe('resolveModelName: never outside the model folders', () => {
  const outside = touch(path.join(root, 'secret.safetensors'));

  it.each([
    ['../secret.safetensors', 'it climbs out with ".."'],
    ['..\\secret.safetensors', 'it climbs out with ".."'],
    ['SD1.5/../../secret.safetensors', 'it climbs out with ".."'],
    [outside, 'it is an absolute path'],
    ['/etc/passwd', 'it is an absolute path'],
    ['C:\\models\\x.safetensors', 'it is an absolute path'],
    ['\\\\server\\share\\x.safetensors', 'it is an absolute path'],
    ['top.safetensors\0.txt', 'it contains a NUL byte'],
    ['', 'the name is empty'],
    ['./', 'it names no file'],
  ])('refuses %j', (name, why) => {
    const r = resolve(name);
    expect(r).toEqual({
      ok: false,
      reason: 'refused',
      message: `checkpoints name ${JSON.stringify(name)} refused: ${why}; model names are relative to the checkpoints folders.`,
      suggestions: [],
    });
  });

  it('normalizes without resolving anything on disk', () => {
    expect(normalizeModelName('a\\.\\b//c.pt')).toEqual({ ok: true, name: 'a/b/c.pt' });
    expect(normalizeModelName('a/..b/c.pt')).toEqual({ ok: true, name: 'a/..b/c.pt' }); // "..b" is a name, not a climb
  });
});

describe('resolveModelName: a stale listing', () => {
  it('lists again when the file it found has gone behind a link', () => {
    const dir = tempDir();
    const target = touch(path.join(dir, 'disk', 'm.safetensors'));
    const m = path.join(dir, 'models');
    link(target, path.join(m, 'vae', 'm.safetensors'));
    const c = new ModelListCache();
    expect(resolveModelName({ models: m }, 'vae', 'm', c)).toMatchObject({ ok: true, name: 'm.safetensors' });
    fs.rmSync(target); // the vae folder's mtime does not change: the cache cannot see this
    expect(resolveModelName({ models: m }, 'vae', 'm', c)).toMatchObject({ ok: false, reason: 'not-found' });
  });
});
