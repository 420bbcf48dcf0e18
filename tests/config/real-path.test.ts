import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureParentInside, NotAFolderError, PathEscapeError, resolveFileInside, resolveModelFile } from '@/server/config/real-path';

const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'loom-realpath-')));
const root = path.join(base, 'root');
const outside = path.join(base, 'outside');
fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
fs.mkdirSync(outside);
fs.writeFileSync(path.join(root, 'sub', 'a.png'), 'a');
fs.writeFileSync(path.join(outside, 'secret.png'), 's');
fs.symlinkSync(path.join(outside, 'secret.png'), path.join(root, 'leak.png'));
fs.symlinkSync(outside, path.join(root, 'away'));
fs.symlinkSync('sub/a.png', path.join(root, 'alias.png'));
fs.symlinkSync(path.join(root, 'nothing'), path.join(root, 'dangling.png'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

describe('resolveFileInside', () => {
  it('resolves names whose real path stays inside the root', async () => {
    expect(await resolveFileInside(root, 'sub/a.png')).toMatchObject({ status: 'file', real: path.join(root, 'sub', 'a.png'), size: 1 });
    expect(await resolveFileInside(root, 'alias.png')).toMatchObject({ status: 'file', real: path.join(root, 'sub', 'a.png') });
  });
  it('refuses links out of the root, traversal, folders, and broken links', async () => {
    expect((await resolveFileInside(root, 'leak.png')).status).toBe('outside');
    expect((await resolveFileInside(root, 'away/secret.png')).status).toBe('outside');
    expect((await resolveFileInside(root, '../outside/secret.png')).status).toBe('outside');
    expect((await resolveFileInside(root, 'sub')).status).toBe('not-a-file');
    expect((await resolveFileInside(root, 'dangling.png')).status).toBe('missing');
    expect((await resolveFileInside(root, 'none.png')).status).toBe('missing');
  });
});

describe('ensureParentInside', () => {
  it('creates missing folders inside the root', async () => {
    expect(await ensureParentInside(root, 'new/deeper/x.png')).toEqual({
      dir: path.join(root, 'new', 'deeper'),
      file: path.join(root, 'new', 'deeper', 'x.png'),
    });
    expect(fs.statSync(path.join(root, 'new', 'deeper')).isDirectory()).toBe(true);
  });
  it('refuses a component that leaves the root or is a file, creating nothing outside', async () => {
    await expect(ensureParentInside(root, 'away/x/y.png')).rejects.toBeInstanceOf(PathEscapeError);
    await expect(ensureParentInside(root, 'sub/a.png/b.png')).rejects.toBeInstanceOf(NotAFolderError);
    expect(fs.readdirSync(outside)).toEqual(['secret.png']);
  });
});

describe('resolveModelFile', () => {
  it('follows links anywhere, but only to regular files', async () => {
    const models = path.join(base, 'models');
    fs.mkdirSync(models);
    fs.symlinkSync(path.join(outside, 'secret.png'), path.join(models, 'other-disk.safetensors'));
    fs.symlinkSync('/dev/zero', path.join(models, 'zero.safetensors'));
    fs.mkdirSync(path.join(models, 'dir.safetensors'));
    expect(await resolveModelFile(models, 'other-disk.safetensors')).toMatchObject({ status: 'file', real: path.join(outside, 'secret.png') });
    expect((await resolveModelFile(models, 'zero.safetensors')).status).toBe('not-a-file');
    expect((await resolveModelFile(models, 'dir.safetensors')).status).toBe('not-a-file');
    expect((await resolveModelFile(models, '../outside/secret.png')).status).toBe('outside');
  });
});
