import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { inputPreview } from '../../server/api/input-preview';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-input-preview-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('input previews', () => {
  it('makes a small PNG of an input image and reports its real size', async () => {
    await sharp({ create: { width: 600, height: 300, channels: 3, background: '#336699' } })
      .jpeg()
      .toFile(path.join(dir, 'wide.jpg'));
    const p = await inputPreview(dir, 'wide.jpg');
    if (!p.ok) throw new Error(p.reason);
    expect(p).toMatchObject({ width: 600, height: 300 });
    const png = Buffer.from(p.dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 256, height: 128 });
  });

  it('refuses names outside input/, missing files and files that are not images, with the reason', async () => {
    fs.writeFileSync(path.join(dir, 'notes.png'), 'not a png');
    expect(await inputPreview(dir, '../etc/passwd')).toEqual({ ok: false, reason: '"../etc/passwd" is not a file inside input/' });
    expect(await inputPreview(dir, 'none.png')).toEqual({ ok: false, reason: 'no file "none.png" in input/' });
    expect(await inputPreview(dir, 'notes.png')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^notes.png is not an image this server can read/),
    });
    fs.symlinkSync('/etc/hostname', path.join(dir, 'escape.png'));
    expect(await inputPreview(dir, 'escape.png')).toMatchObject({ ok: false });
  });
});
