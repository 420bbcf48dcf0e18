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
import type { GligenBox, GligenModel } from './patches/gligen';
import type { UnclipEntry } from './sampling/unclip';
import type { UpscaleSpec } from './models/upscale/spec';
import type { ControlNetConfig } from './checkpoint/arch/controlnet';
import type { T2IAdapterConfig } from './controlnet/t2i-config';

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

/** ConditioningSetArea's area in latent units (pixels // 8), or ConditioningSetAreaPercentage's fractions of the latent. */
export interface CondArea {
  readonly unit: 'latent' | 'fraction';
  readonly height: number;
  readonly width: number;
  readonly y: number;
  readonly x: number;
}

/**
 * One entry of a CONDITIONING: ComfyUI's `[cross_attn, {options}]` pair, options named as ComfyUI's keys in camelCase.
 * The sampler applies area, strength, mask and timestep range per step (sampling/cond-batch.ts).
 */
export interface CondEntry {
  /** the text encoder's family (error messages; the sampler checks the width against the UNet) */
  readonly family: Family;
  /** cross-attention tokens [B, tokens, dim]; B is 1 from text encoders and is repeated to the latent batch */
  readonly cross: F32Tensor;
  /** pooled text output [B, P] (`pooled_output`): SDXL's clip_g projection, SD1's final-LN EOS token */
  readonly pooled?: F32Tensor;
  readonly area?: CondArea;
  /** multiplies this entry's prediction where it applies (`strength`, default 1) */
  readonly strength?: number;
  /** ConditioningSetMask "mask bounds": the area becomes the mask's bounding box */
  readonly setAreaToBounds?: boolean;
  /** [B, H, W], any size: resized to the latent with bilinear filtering when sampling, as ComfyUI */
  readonly mask?: F32Tensor;
  readonly maskStrength?: number;
  /** ConditioningSetTimestepRange: the entry applies from start to end (fractions of the schedule, 0 = first step) */
  readonly startPercent?: number;
  readonly endPercent?: number;
  /** CLIPTextEncodeSDXL / Refiner size conditioning in pixels; absent: the latent's size, crop 0, target = size */
  readonly width?: number;
  readonly height?: number;
  readonly cropW?: number;
  readonly cropH?: number;
  readonly targetWidth?: number;
  readonly targetHeight?: number;
  /** CLIPTextEncodeSDXLRefiner's aesthetic score (the refiner's `y`) */
  readonly aestheticScore?: number;
  /**
   * Fields later nodes fill (ControlNet `control`, GLIGEN `gligen`; the concat and unCLIP fields below become model
   * conds in common-ksampler.ts). The sampler turns control / gligen into per-model-call UNet inputs through the CondExtras hook
   * (sampling/conds.ts: `PrepareCondsOptions.extras`); without a hook for it, an entry carrying control or gligen is
   * refused rather than ignored. Add new optional fields here, named as ComfyUI's keys in camelCase.
   */
  readonly control?: unknown;
  /** ControlNetApply (not Advanced): ComfyUI's control_apply_to_uncond, the negative gets this entry's ControlNet too */
  readonly controlApplyToUncond?: boolean;
  readonly gligen?: CondGligen;
  /** InpaintModelConditioning: the greyed-out image's latent [B, C, h, w] in VAE space (an inpainting UNet's extra channels) */
  readonly concatLatentImage?: F32Tensor;
  /** InpaintModelConditioning: the mask [B, 1, H, W] at the image's size */
  readonly concatMask?: F32Tensor;
  /** unCLIPConditioning's `unclip_conditioning`: CLIP image embeddings for an unCLIP model's ADM input, in the order applied */
  readonly unclipConditioning?: readonly UnclipEntry[];
  /** the node that set area / mask / range ("ConditioningSetArea #5"), named in sampling errors */
  readonly origin?: string;
}

/** GLIGENTextBoxApply's `('position', gligen, boxes)`: the GLIGEN model and its boxes, in the order applied. */
export interface CondGligen {
  readonly model: GligenHandle;
  readonly boxes: readonly GligenBox[];
}

/** CONDITIONING: ComfyUI's list of entries (ConditioningCombine concatenates lists). */
export interface Conditioning {
  readonly kind: 'conditioning';
  readonly entries: readonly CondEntry[];
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

/** UpscaleModelLoader: an upscale model's weights (under the builder's names) and what detection found. */
export interface UpscaleModelHandle {
  readonly kind: 'upscale_model';
  readonly weights: WeightProvider;
  readonly spec: UpscaleSpec;
  /** the file name, for messages */
  readonly name: string;
  readonly key: string;
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
export const isConditioning = (v: unknown): v is Conditioning => isKind(v, 'conditioning') && Array.isArray((v as { entries?: unknown }).entries);

/** Latent space of each family (SD2 shares SD1's VAE scale). */
export function latentFamilyOf(family: Family): LatentFamily {
  return family === 'sdxl' || family === 'sdxl_refiner' ? 'sdxl' : 'sd1';
}

/** Input check with a message naming node, input and what was expected. */
export function expectInput<T>(node: string, input: string, value: unknown, guard: (v: unknown) => v is T, expected: string): T {
  if (!guard(value)) throw new Error(`${node}: input "${input}" is not ${expected}${value === undefined ? ' (not linked)' : ''}.`);
  return value;
}
/** ControlNetLoader / DiffControlNetLoader: a ControlNet's weights under cldm names (no `control_model.` prefix). */
export interface ControlNetHandle {
  readonly kind: 'control_net';
  readonly weights: WeightProvider;
  /** absent for a Control-LoRA: it takes the sampled model's UNet config (controlnet/control-lora.ts) */
  readonly config?: ControlNetConfig;
  /** channels of the hint image it takes */
  readonly hintChannels: number;
  /** a Control-LoRA: `weights` are the file's, completed from the model's UNet when sampling */
  readonly controlLora?: boolean;
  /** a T2I-Adapter (ComfyUI's T2IAdapter control): `weights` are the adapter's, `hintChannels` its channels_in */
  readonly t2iAdapter?: T2IAdapterConfig;
  /** ComfyUI's global_average_pooling (files named *_shuffle): residuals averaged over each plane */
  readonly globalAveragePooling: boolean;
  /** the file's name, for errors */
  readonly name: string;
  readonly key: string;
  readonly recipe: readonly RecipeStep[];
}

export const isControlNetHandle = (v: unknown): v is ControlNetHandle => isKind(v, 'control_net');
export const isClipVisionHandle = (v: unknown): v is ClipVisionHandle => isKind(v, 'clip_vision');
export const isClipVisionOutput = (v: unknown): v is ClipVisionOutput => isKind(v, 'clip_vision_output');
export const isGligenHandle = (v: unknown): v is GligenHandle => isKind(v, 'gligen');
export const isUpscaleModelHandle = (v: unknown): v is UpscaleModelHandle => isKind(v, 'upscale_model');
export const isStyleModelHandle = (v: unknown): v is StyleModelHandle => isKind(v, 'style_model');
