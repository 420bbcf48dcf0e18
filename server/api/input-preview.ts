/** A small preview of an image in input/ for LoadImage's node (the full file is read by the node itself). */
import fs from 'node:fs/promises';
import sharp from 'sharp';
import { maxImagePixels } from '../../nodes/_io/image-input';
import { resolveFileInside } from '../config/real-path';

const SIDE = 256;
/** larger files are not previewed (the node still loads them) */
const MAX_BYTES = 64 * 1024 * 1024;

export type InputPreview = { ok: true; dataUrl: string; width: number; height: number } | { ok: false; reason: string };

export async function inputPreview(inputDir: string, name: string): Promise<InputPreview> {
  const r = await resolveFileInside(inputDir, name);
  if (r.status !== 'file')
    return { ok: false, reason: r.status === 'missing' ? `no file "${name}" in input/` : `"${name}" is not a file inside input/` };
  if (r.size > MAX_BYTES) return { ok: false, reason: `${name} is too large to preview` };
  try {
    const bytes = await fs.readFile(r.real);
    const img = sharp(bytes, { limitInputPixels: maxImagePixels(), animated: false }).rotate();
    const meta = await img.metadata();
    const out = await img.resize(SIDE, SIDE, { fit: 'inside', withoutEnlargement: true }).png().toBuffer();
    const [width, height] = (meta.orientation ?? 1) >= 5 ? [meta.height ?? 0, meta.width ?? 0] : [meta.width ?? 0, meta.height ?? 0];
    return { ok: true, dataUrl: `data:image/png;base64,${out.toString('base64')}`, width, height };
  } catch (e) {
    return { ok: false, reason: `${name} is not an image this server can read (${e instanceof Error ? e.message.split('\n')[0] : String(e)})` };
  }
}
