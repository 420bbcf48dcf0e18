import { stat } from 'node:fs/promises';
import path from 'node:path';
import { openSafetensors } from '../../io/safetensors';
import type { LoraSource } from './types';

/** Open a LoRA .safetensors file (header only; tensors load lazily). Identity = absolute path + size + mtime. */
export async function openLora(file: string): Promise<LoraSource> {
  const abs = path.resolve(file);
  const [st, sf] = await Promise.all([stat(abs), openSafetensors(abs)]);
  return {
    name: path.basename(abs),
    identity: `${abs}:${st.size}:${Math.trunc(st.mtimeMs)}`,
    metadata: sf.metadata,
    tensors: sf.tensors,
  };
}
