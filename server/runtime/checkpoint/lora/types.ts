import type { StateDict, TensorRef } from '../../io/tensor';

/** The model parts a LoRA can patch; names match loadCheckpoint's components. */
export type LoraComponent = 'unet' | 'clip' | 'clip_l' | 'clip_g';

/** An opened LoRA file: lazy tensors in the file's own naming, plus a stable identity for cache keys. */
export interface LoraSource {
  /** shown to the user in reports and errors (usually the file name) */
  readonly name: string;
  /** stable identity of the file's content (path + size + mtime, or a hash) */
  readonly identity: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: StateDict;
}

/** One tensor role inside a LoRA module, after the file's naming has been normalised. */
export type LoraSlot =
  | 'up'
  | 'down'
  | 'mid'
  | 'alpha'
  | 'dora_scale'
  | 'hada_w1_a'
  | 'hada_w1_b'
  | 'hada_w2_a'
  | 'hada_w2_b'
  | 'hada_t1'
  | 'hada_t2'
  | 'lokr_w1'
  | 'lokr_w1_a'
  | 'lokr_w1_b'
  | 'lokr_w2'
  | 'lokr_w2_a'
  | 'lokr_w2_b'
  | 'lokr_t2'
  | 'diff'
  | 'diff_b';

/** Which naming convention a key used (for describe/inspect). */
export type LoraNaming = 'kohya' | 'peft' | 'diffusers' | 'lycoris' | 'full';

/** All tensors of one adapted module, keyed by role. */
export interface LoraModule {
  /** module name as the file spells it, e.g. `lora_unet_down_blocks_1_attentions_0_proj_in` */
  readonly key: string;
  readonly slots: Partial<Record<LoraSlot, TensorRef>>;
  readonly naming: ReadonlySet<LoraNaming>;
}

export type AdapterKind = 'lora' | 'loha' | 'lokr' | 'diff';

/** A validated module: the adapter that produces the weight delta, plus optional DoRA and bias diff. */
export interface Adapter {
  readonly key: string;
  /** undefined when the module only carries a bias diff */
  readonly kind: AdapterKind | undefined;
  readonly slots: Partial<Record<LoraSlot, TensorRef>>;
}

/** A tensor of the base model, or a block of its rows (OpenCLIP packs q/k/v into one `in_proj_weight`). */
export interface TensorSlice {
  readonly name: string;
  /** first row and row count when only part of dim 0 is targeted */
  readonly rows?: { readonly start: number; readonly count: number };
}

/** Where one LoRA module lands in a component. */
export interface ModuleTarget {
  readonly weight: TensorSlice;
  readonly bias: TensorSlice;
}

/** What applying one LoRA did to one component. */
export interface LoraReport {
  readonly lora: string;
  readonly component: LoraComponent;
  readonly strength: number;
  /** modules of the file whose names belong to this component */
  readonly targeted: number;
  /** distinct tensors of the component that the LoRA changes */
  readonly patched: number;
  /** module names that belong to this component but match none of its weights (a warning for the user) */
  readonly unmapped: readonly string[];
  /** file keys that belong to no component or have a tensor role this loader does not know */
  readonly unrecognized: readonly string[];
}
