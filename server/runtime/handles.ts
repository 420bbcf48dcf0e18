/**
 * Runtime values on the MODEL / CLIP / VAE / CONDITIONING sockets. Handles are immutable: LoRA,
 * merges and overrides return new handles wrapping the base providers, never mutating them.
 * `key` identifies the weights (source file versions + every patch) for the model cache.
 */
import type { Family, Prediction } from './checkpoint/families';
import type { WeightProvider } from './checkpoint/weights';
import type { F32Tensor } from './models';
import type { LatentFamily } from './sampling';
import type { SamplingType } from './sampling/model-sampling';
import type { Hypernetwork } from './patches/hypernetwork';
import type { FreeUPatch } from './models/unet';
import type { ConcatInputs } from './sampling/concat-cond';
import type { GligenBox, GligenModel } from './patches/gligen';
import type { UnclipEntry } from './sampling/unclip';

/** One step of how a handle came to be (SaveCheckpoint writes these into the file's metadata). */
export type RecipeStep = Readonly<Record<string, string | number | boolean>>;

/** Checkpoint component prefixes, so SaveCheckpoint can write a handle back in the family's layout. */
export type TowerName = 'clip' | 'clip_l' | 'clip_g';

export interface ModelHandle {
  readonly kind: 'model';
  readonly family: Family;
  readonly prediction: Prediction;
  /** ModelSamplingDiscrete's override (lcm, x0, img_to_img, zsnr); absent: sample as `prediction` says */
  readonly sampling?: { readonly type: SamplingType; readonly zsnr: boolean };
  readonly unet: WeightProvider;
  /** HypernetworkLoader patches, in the order applied (`id`: file identity) */
  readonly hypernets?: readonly { readonly id: string; readonly strength: number; readonly net: Hypernetwork }[];
  /** FreeU / FreeU_V2 patches, in the order applied */
  readonly freeU?: readonly FreeUPatch[];
  /** ComfyUI's sampler_cfg_function (one per model: the last one set wins), e.g. RescaleCFG */
  readonly cfgFunction?: { readonly kind: 'rescale_cfg'; readonly multiplier: number };
  readonly latent: LatentFamily;
  readonly key: string;
  readonly recipe: readonly RecipeStep[];
}

export interface ClipHandle {
  readonly kind: 'clip';
  readonly family: Family;
  /** sd1: clip; sd2: clip (open_clip); sdxl: clip_l + clip_g */
  readonly towers: Readonly<Partial<Record<TowerName, WeightProvider>>>;
  /** CLIPSetLastLayer value; undefined = the family's default layer */
  readonly layer?: number;
  /** where the tokenizer vocabulary is looked for besides LOOM_CLIP_VOCAB */
  readonly vocab: { modelsDir: string; checkpointPath?: string };
  /**
   * the MLP activation per tower when its names cannot tell (an HF-layout OpenCLIP tower from a separate file uses
   * GELU; HF names otherwise mean OpenAI CLIP's quick_gelu)
   */
  readonly activations?: Readonly<Partial<Record<TowerName, 'gelu' | 'quick_gelu'>>>;
  readonly key: string;
  readonly recipe: readonly RecipeStep[];
}

export interface VaeHandle {
  readonly kind: 'vae';
  readonly vae: WeightProvider;
  readonly key: string;
  readonly recipe: readonly RecipeStep[];
}

export interface Conditioning {
  readonly kind: 'conditioning';
  readonly family: Family;
  /** [1, chunks·77, dim] */
  readonly context: F32Tensor;
  /** [1, projection] (SDXL clip_g) */
  readonly pooled?: F32Tensor;
  /** InpaintModelConditioning: what an inpainting UNet's extra input channels are made of */
  readonly concat?: ConcatInputs;
  /** unCLIPConditioning: CLIP image embeddings for an unCLIP model's ADM input, in the order applied */
  readonly unclip?: readonly UnclipEntry[];
  /** GLIGENTextBoxApply: the GLIGEN model and its boxes, in the order applied */
  readonly gligen?: { readonly model: GligenHandle; readonly boxes: readonly GligenBox[] };
}

/** StyleModelLoader: a T2I style adapter's weights. */
export interface StyleModelHandle {
  readonly kind: 'style_model';
  readonly weights: WeightProvider;
  /** the file name, for messages */
  readonly name: string;
  readonly key: string;
  readonly recipe: readonly RecipeStep[];
}

/** GLIGENLoader: a GLIGEN textbox model (PositionNet + fusers). */
export interface GligenHandle {
  readonly kind: 'gligen';
  readonly weights: WeightProvider;
  readonly model: GligenModel;
  readonly key: string;
  readonly recipe: readonly RecipeStep[];
}

/** CLIPVisionLoader: an image encoder's weights (HF CLIPVisionModelWithProjection names, relative to the file root). */
export interface ClipVisionHandle {
  readonly kind: 'clip_vision';
  readonly weights: WeightProvider;
  readonly key: string;
  readonly recipe: readonly RecipeStep[];
}

/** CLIPVisionEncode's output, as ComfyUI's Output fields. */
export interface ClipVisionOutput {
  readonly kind: 'clip_vision_output';
  /** [B, tokens, width]: the last layer's output (no final LayerNorm) */
  readonly lastHiddenState: F32Tensor;
  /** [B, tokens, width]: the output of the second-to-last layer */
  readonly penultimateHiddenStates: F32Tensor;
  /** [B, projection]: post-LayerNorm class token through visual_projection */
  readonly imageEmbeds: F32Tensor;
}

const isKind = <K extends string>(v: unknown, kind: K): v is { kind: K } =>
  typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === kind;

export const isModelHandle = (v: unknown): v is ModelHandle => isKind(v, 'model');
export const isClipHandle = (v: unknown): v is ClipHandle => isKind(v, 'clip');
export const isVaeHandle = (v: unknown): v is VaeHandle => isKind(v, 'vae');
export const isConditioning = (v: unknown): v is Conditioning => isKind(v, 'conditioning');

/** Latent space of each family (SD2 shares SD1's VAE scale). */
export function latentFamilyOf(family: Family): LatentFamily {
  return family === 'sdxl' || family === 'sdxl_refiner' ? 'sdxl' : 'sd1';
}

/** Input check with a message naming node, input and what was expected. */
export function expectInput<T>(node: string, input: string, value: unknown, guard: (v: unknown) => v is T, expected: string): T {
  if (!guard(value)) throw new Error(`${node}: input "${input}" is not ${expected}${value === undefined ? ' (not linked)' : ''}.`);
  return value;
}
export const isClipVisionHandle = (v: unknown): v is ClipVisionHandle => isKind(v, 'clip_vision');
export const isClipVisionOutput = (v: unknown): v is ClipVisionOutput => isKind(v, 'clip_vision_output');
export const isGligenHandle = (v: unknown): v is GligenHandle => isKind(v, 'gligen');
export const isStyleModelHandle = (v: unknown): v is StyleModelHandle => isKind(v, 'style_model');
