/**
 * unCLIP's ADM input (ComfyUI comfy/model_base.py unclip_adm with CLIPEmbeddingNoiseAugmentation): each CLIP image
 * embedding is noised to a level (noise_augmentation · 999, the squaredcos_cap_v2 schedule, noise from the sampler's
 * seed − 10), joined with the level's timestep embedding and weighted by its strength; several are summed and noised
 * once more at unclip_noise_augment_merge (0.05). The result is the unCLIP UNet's `y`.
 */
import type { F32Tensor } from '../models';
import { timestepFrequencies } from '../models/unet';
import { TorchGenerator } from './rng';

/** One unCLIPConditioning application: the CLIP vision output's image_embeds [N, dim]. */
export interface UnclipEntry {
  readonly imageEmbeds: F32Tensor;
  readonly strength: number;
  readonly noiseAugmentation: number;
}

const MAX_NOISE_LEVEL = 1000;
/** ComfyUI's default unclip_noise_augment_merge */
export const UNCLIP_MERGE_NOISE = 0.05;

/** sqrt(ᾱ) and sqrt(1 − ᾱ) of squaredcos_cap_v2 (betas_for_alpha_bar, max β 0.999), float64 then float32 as torch keeps them */
const SCHEDULE = (() => {
  const alphaBar = (t: number) => Math.cos((((t + 0.008) / 1.008) * Math.PI) / 2) ** 2;
  const a = new Float32Array(MAX_NOISE_LEVEL);
  const b = new Float32Array(MAX_NOISE_LEVEL);
  let cum = 1;
  for (let i = 0; i < MAX_NOISE_LEVEL; i++) {
    const beta = Math.min(1 - alphaBar((i + 1) / MAX_NOISE_LEVEL) / alphaBar(i / MAX_NOISE_LEVEL), 0.999);
    cum *= 1 - beta;
    a[i] = Math.sqrt(cum);
    b[i] = Math.sqrt(1 - cum);
  }
  return { a, b };
})();

/** Python's round(): halves to even. */
const pyRound = (x: number) => {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

/** noise_augmentor(x, level): [q_sample(x, level, noise), timestep_embedding(level, dim)] (data mean 0, std 1 as ComfyUI loads it) */
function augment(x: Float32Array, level: number, noise: Float32Array): Float32Array {
  const dim = x.length;
  const f = Math.fround;
  const out = new Float32Array(2 * dim);
  const sa = SCHEDULE.a[level];
  const sb = SCHEDULE.b[level];
  for (let i = 0; i < dim; i++) out[i] = f(f(sa * x[i]) + f(sb * noise[i]));
  const freqs = timestepFrequencies(dim);
  const half = dim >> 1;
  for (let k = 0; k < half; k++) {
    const arg = f(level * freqs[k]);
    out[dim + k] = Math.cos(arg);
    out[dim + half + k] = Math.sin(arg);
  }
  return out;
}

/** The ADM vector [1, 2·dim] for a conditioning's unCLIP entries; `seed` is the sampler's seed. */
export function unclipAdm(entries: readonly UnclipEntry[], seed: bigint | number, dim: number, mergeNoise = UNCLIP_MERGE_NOISE): Float32Array {
  const f = Math.fround;
  const parts: Float32Array[] = [];
  // torch.manual_seed(seed − 10) reseeds the global generator for every embedding; the merge draws after the last one
  let gen: TorchGenerator | undefined;
  for (const e of entries) {
    const [n, width] = e.imageEmbeds.shape;
    if (e.imageEmbeds.shape.length !== 2 || width !== dim) {
      throw new Error(
        `unCLIP: image embeddings [${e.imageEmbeds.shape.join(', ')}] for a model taking ${dim}-wide ones: a CLIP vision model of another size?`,
      );
    }
    const level = pyRound((MAX_NOISE_LEVEL - 1) * e.noiseAugmentation);
    for (let r = 0; r < n; r++) {
      gen = new TorchGenerator(BigInt(seed) - 10n);
      const adm = augment(e.imageEmbeds.data.subarray(r * dim, (r + 1) * dim), level, gen.randn([1, dim]));
      parts.push(adm.map((v) => f(v * e.strength)));
    }
  }
  if (parts.length === 0) throw new Error('unCLIP: no image embeddings');
  if (parts.length === 1) return parts[0];
  const sum = new Float32Array(2 * dim);
  for (const p of parts) for (let i = 0; i < sum.length; i++) sum[i] = f(sum[i] + p[i]);
  return augment(sum.subarray(0, dim), pyRound((MAX_NOISE_LEVEL - 1) * mergeNoise), (gen as TorchGenerator).randn([1, dim]));
}
