import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listModelEntries, listModels, ModelListCache } from '../../server/config/model-list';
import { link, tempDir, touch } from './model-tree';

const pathsAt = (models: string) => ({ models });

describe('listModels: links', () => {
  const root = tempDir();
  const models = path.join(root, 'models');
  const disk = path.join(root, 'other-disk');
  const loras = path.join(models, 'loras');
  touch(path.join(loras, 'plain.safetensors'));
  touch(path.join(disk, 'real.safetensors'));
  touch(path.join(disk, 'styles', 'anime.safetensors'));
  touch(path.join(disk, 'styles', 'deep', 'ink.pt'));
  link(path.join(disk, 'real.safetensors'), path.join(loras, 'linked.safetensors')); // file on another disk
  link(path.join(disk, 'styles'), path.join(loras, 'external')); // folder on another disk
  link(path.join(disk, 'styles'), path.join(loras, 'zz-again')); // the same folder a second time
  link(path.join(root, 'missing.safetensors'), path.join(loras, 'dangling.safetensors'));
  link(loras, path.join(loras, 'sub', 'loop')); // back to an ancestor
  link(path.join(loras, 'self.safetensors'), path.join(loras, 'self.safetensors')); // ELOOP on stat
  link(path.join(disk, 'styles', 'deep'), path.join(disk, 'styles', 'deep', 'again')); // a loop behind a link
  link('/dev/null', path.join(loras, 'device.safetensors'));
  execFileSync('mkfifo', [path.join(loras, 'pipe.safetensors')]);

  it('follows links to files and folders, skips dangling, looping and non-regular targets, and ends', () => {
    expect(listModels(pathsAt(models), 'loras', new ModelListCache())).toEqual([
      'external/anime.safetensors',
      'external/deep/ink.pt',
      'linked.safetensors',
      'plain.safetensors',
    ]);
  });

  it('reports where each file was found, links unresolved', () => {
    const linked = listModelEntries(pathsAt(models), 'loras', new ModelListCache()).find((e) => e.name === 'linked.safetensors');
    expect(linked).toEqual({ name: 'linked.safetensors', path: path.join(loras, 'linked.safetensors'), root: loras });
  });

  it('a models folder that is itself a link works, and a missing one lists nothing', () => {
    const linkedModels = link(models, path.join(root, 'models-link'));
    expect(listModels(pathsAt(linkedModels), 'loras', new ModelListCache())).toContain('external/deep/ink.pt');
    expect(listModels(pathsAt(path.join(root, 'nowhere')), 'loras', new ModelListCache())).toEqual([]);
  });
});

describe('listModels: order, duplicates, names', () => {
  it('sorts by name (code units), lists a name found in two folders once, uses / in names', () => {
    const models = path.join(tempDir(), 'models');
    for (const n of ['b.safetensors', 'B.safetensors', 'a/z.ckpt', 'a.safetensors', 'Zeta/x.pt', 'ü.safetensors'])
      touch(path.join(models, 'loras', n));
    touch(path.join(models, 'unet', 'same.safetensors'), 'from unet');
    touch(path.join(models, 'diffusion_models', 'same.safetensors'), 'from diffusion_models');
    touch(path.join(models, 'diffusion_models', 'other.safetensors'));
    const cache = new ModelListCache();
    expect(listModels(pathsAt(models), 'loras', cache)).toEqual([
      'B.safetensors',
      'Zeta/x.pt',
      'a.safetensors',
      'a/z.ckpt',
      'b.safetensors',
      'ü.safetensors',
    ]);
    const entries = listModelEntries(pathsAt(models), 'diffusion_models', cache);
    expect(entries.map((e) => e.name)).toEqual(['other.safetensors', 'same.safetensors']);
    expect(fs.readFileSync(entries[1].path, 'utf8')).toBe('from unet'); // unet is read first, like ComfyUI
  });
});

describe('listModels: the cache', () => {
  it('sees files added, removed and renamed, folders created later, and links retargeted', async () => {
    const root = tempDir();
    const models = path.join(root, 'models');
    const cache = new ModelListCache();
    const list = () => listModels(pathsAt(models), 'vae', cache);
    expect(list()).toEqual([]);
    touch(path.join(models, 'vae', 'a.safetensors')); // the folder did not exist before
    expect(list()).toEqual(['a.safetensors']);
    const first = cache.get(pathsAt(models), 'vae');
    expect(cache.get(pathsAt(models), 'vae')).toBe(first); // unchanged folders: the same listing object
    touch(path.join(models, 'vae', 'deep', 'er', 'b.pt'));
    expect(list()).toEqual(['a.safetensors', 'deep/er/b.pt']);
    touch(path.join(models, 'vae', 'deep', 'er', 'c.pt')); // only the innermost folder changes
    expect(list()).toEqual(['a.safetensors', 'deep/er/b.pt', 'deep/er/c.pt']);
    fs.renameSync(path.join(models, 'vae', 'a.safetensors'), path.join(models, 'vae', 'renamed.safetensors'));
    fs.rmSync(path.join(models, 'vae', 'deep', 'er', 'b.pt'));
    expect(list()).toEqual(['deep/er/c.pt', 'renamed.safetensors']);
    // a file added inside a linked folder changes that folder, which the cache watches too
    const disk = path.join(root, 'disk');
    touch(path.join(disk, 'one.pt'));
    link(disk, path.join(models, 'vae', 'ext'));
    expect(list()).toContain('ext/one.pt');
    touch(path.join(disk, 'two.pt'));
    expect(list()).toContain('ext/two.pt');
    cache.invalidate();
    expect(cache.get(pathsAt(models), 'vae')).not.toBe(first);
  });
});
