/**
 * The tiny SDXL refiner of tests/fixtures/comfy-refs/tiny_refiner.py, rebuilt bit for bit: the UNet from randomUNet's
 * uniform draws (refiner layout at tiny widths: 4 levels, attention at levels 1-2 and the middle, context 128,
 * adm 128 + 5 × 256), tiny-sdxl's clip_g tower moved to embedders.0 and tiny-sdxl's VAE.
 */
import { readFile } from 'node:fs/promises';
import { writeSafetensors, type TensorEntry } from '../../../server/runtime/io/safetensors-write';
import type { DType } from '../../../server/runtime/io/tensor';
import { golden } from '../../helpers/golden';
import { randomUNet, type RandomUNetSpec } from '../../helpers/random-models';

export const TINY_REFINER_UNET: RandomUNetSpec = {
  inChannels: 4,
  modelChannels: 32,
  channelMult: [1, 2, 2, 2],
  numResBlocks: 2,
  attentionLevels: [1, 2],
  depth: 2,
  contextDim: 128,
  linearProjection: true,
  admInChannels: 1408,
};
export const TINY_REFINER_SEED = 1501;

const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Writes the tiny refiner to `target`; returns the UNet tensors (for checks against the generator's sums). */
export async function writeTinyRefiner(target: string): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const buf = await readFile(golden('tiny-sdxl', 'model.safetensors'));
  const len = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + len).toString('utf8')) as Record<
    string,
    { dtype: DType; shape: number[]; data_offsets: [number, number] }
  >;
  const entries: TensorEntry[] = [];
  const unet = randomUNet(TINY_REFINER_UNET, TINY_REFINER_SEED, true);
  for (const [k, t] of unet) entries.push({ name: `model.diffusion_model.${k}`, dtype: 'F32', shape: t.shape, data: async () => bytesOf(t.data) });
  const G_BASE = 'conditioner.embedders.1.model.';
  for (const [k, e] of Object.entries(header)) {
    if (k === '__metadata__') continue;
    const name = k.startsWith(G_BASE)
      ? `conditioner.embedders.0.model.${k.slice(G_BASE.length)}`
      : k.startsWith('first_stage_model.')
        ? k
        : undefined;
    if (!name) continue;
    const bytes = buf.subarray(8 + len + e.data_offsets[0], 8 + len + e.data_offsets[1]);
    entries.push({ name, dtype: e.dtype, shape: e.shape, data: async () => bytes });
  }
  await writeSafetensors(target, entries, { format: 'pt', tiny_sd_variant: 'tiny-refiner' }, { syncEveryBytes: 0 });
  return unet;
}
