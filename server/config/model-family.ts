/** Checkpoint family for listings, from the safetensors header only (no tensor bytes), cached per file version. */
import fs from 'node:fs';
import { openSafetensors } from '../runtime/io/safetensors';
import { detectFamily } from '../runtime/checkpoint/detect';

const cache = new Map<string, { key: string; family: string | null }>();

export async function checkpointFamily(file: string): Promise<string | null> {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st || !file.toLowerCase().endsWith('.safetensors')) return null;
  const key = `${st.size}:${st.mtimeMs}`;
  const hit = cache.get(file);
  if (hit?.key === key) return hit.family;
  let family: string | null = null;
  try {
    family = detectFamily((await openSafetensors(file)).tensors, file).family;
  } catch {
    family = null; // not a checkpoint we recognise: listed without a family
  }
  cache.set(file, { key, family });
  return family;
}
