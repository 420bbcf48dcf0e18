/** ComfyUI-style numbered output names (`prefix_00001_.png`) inside the output folder, never outside it. */
import fs from 'node:fs';
import path from 'node:path';
import { safeJoin } from '../../server/config/paths';

export function nextOutputPath(outputDir: string, prefix: string, ext: string): { full: string; rel: string } {
  const cleaned = prefix.replace(/\\/g, '/').trim() || 'LatentLoom';
  const base = safeJoin(outputDir, cleaned);
  if (!base) throw new Error(`filename_prefix "${prefix}" points outside the output folder.`);
  const dir = path.dirname(base);
  const stem = path.basename(base);
  fs.mkdirSync(dir, { recursive: true });
  const pattern = new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_(\\d+)_\\.`);
  let max = 0;
  for (const f of fs.readdirSync(dir)) {
    const m = pattern.exec(f);
    if (m) max = Math.max(max, Number(m[1]));
  }
  for (let n = max + 1; ; n++) {
    const name = `${stem}_${String(n).padStart(5, '0')}_${ext}`;
    const full = path.join(dir, name);
    try {
      fs.closeSync(fs.openSync(full, 'wx')); // reserve the name so concurrent saves never collide
      return { full, rel: path.relative(outputDir, full).split(path.sep).join('/') };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/**
 * Writes one output under a name from nextOutputPath: `write` gets the reserved path and must write it whole or fail
 * (writeFileAtomic, writeSafetensors: temp + rename). On failure the reserved name is released, so a full disk
 * never leaves an empty or truncated output behind to be listed or served.
 */
export async function writeOutput(
  outputDir: string,
  prefix: string,
  ext: string,
  write: (full: string, rel: string) => Promise<unknown>,
): Promise<string> {
  const { full, rel } = nextOutputPath(outputDir, prefix, ext);
  try {
    await write(full, rel);
  } catch (e) {
    fs.rmSync(full, { force: true });
    throw e;
  }
  return rel;
}
