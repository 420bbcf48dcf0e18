/**
 * Node schemas are plain data: the UI, the validator, the importer and the implementations all read these.
 * This file must stay free of server imports (the Next.js client bundles it).
 * Vocabulary = ComfyUI's: a schema's id, input names and order, output names and order and widget semantics are
 * those of the ComfyUI class with that id (checked against ComfyUI's /object_info in tests/nodes/vocabulary.test.ts).
 */

/** Socket (link) types, spelled as ComfyUI spells them. `*` accepts anything (PrimitiveNode, Reroute). */
export const SOCKET_TYPES = [
  'MODEL',
  'CLIP',
  'VAE',
  'CONDITIONING',
  'LATENT',
  'IMAGE',
  'MASK',
  'INT',
  'FLOAT',
  'STRING',
  'BOOLEAN',
  'COMBO',
  'SIGMAS',
  'SAMPLER',
  'NOISE',
  'GUIDER',
  'UPSCALE_MODEL',
  'CONTROL_NET',
  'CLIP_VISION',
  'CLIP_VISION_OUTPUT',
  'STYLE_MODEL',
  'GLIGEN',
  '*',
] as const;
export type SocketType = (typeof SOCKET_TYPES)[number];

/**
 * Model folders, named as ComfyUI names them (folder_paths.folder_names_and_paths). Each reads one or more
 * directories under the models root (server/config decides which).
 */
export const MODEL_FOLDERS = [
  'checkpoints',
  'loras',
  'vae',
  'text_encoders',
  'diffusion_models',
  'embeddings',
  'upscale_models',
  'controlnet',
  'clip_vision',
  'style_models',
  'hypernetworks',
  'gligen',
  'configs',
  'vae_approx',
] as const;
export type ModelFolder = (typeof MODEL_FOLDERS)[number];

export const PARAM_KINDS = ['number', 'int', 'seed', 'text', 'select', 'model', 'boolean', 'image', 'any'] as const;
export type ParamKind = (typeof PARAM_KINDS)[number];

export const SEED_CONTROLS = ['randomize', 'fixed', 'increment', 'decrement'] as const;
export type SeedControl = (typeof SEED_CONTROLS)[number];

/** Largest seed: seeds travel as decimal strings above Number.MAX_SAFE_INTEGER. */
export const SEED_MAX = 18446744073709551615n;

interface ParamBase<N extends string = string> {
  name: N;
  label?: string;
  description?: string;
  /** ComfyUI lists it under `optional`: a prompt may leave it out, and the default applies */
  optional?: boolean;
}

/** ComfyUI FLOAT */
export interface NumberParam<N extends string = string> extends ParamBase<N> {
  kind: 'number';
  min: number;
  max: number;
  step: number;
  default: number;
  /** ComfyUI's `round`: values are rounded to this precision (false: not rounded) */
  round?: number | false;
  slider?: boolean;
}
/** ComfyUI INT */
export interface IntParam<N extends string = string> extends ParamBase<N> {
  kind: 'int';
  min: number;
  max: number;
  step?: number;
  default: number;
  /** value must be a multiple of this (e.g. 8 for latent sizes) */
  multipleOf?: number;
  /** ComfyUI's control_after_generate on a plain INT (PrimitiveInt) */
  control?: SeedControl;
}
/** ComfyUI INT with control_after_generate (seed widgets): 0..2^64-1 */
export interface SeedParam<N extends string = string> extends ParamBase<N> {
  kind: 'seed';
  /** number when safe, decimal string otherwise */
  default: number | string;
  control: SeedControl;
}
/** ComfyUI STRING */
export interface TextParam<N extends string = string> extends ParamBase<N> {
  kind: 'text';
  default: string;
  multiline?: boolean;
}
/** ComfyUI COMBO with a fixed list */
export interface SelectParam<N extends string = string, O extends string = string> extends ParamBase<N> {
  kind: 'select';
  options: readonly O[];
  default: O;
}
/** ComfyUI COMBO listing the files of a model folder */
export interface ModelParam<N extends string = string> extends ParamBase<N> {
  kind: 'model';
  folder: ModelFolder;
  default: string;
  /** '' (no file) is allowed */
  optional?: boolean;
}
/** ComfyUI BOOLEAN */
export interface BooleanParam<N extends string = string> extends ParamBase<N> {
  kind: 'boolean';
  default: boolean;
  /** ComfyUI's label_on / label_off */
  labels?: { on: string; off: string };
}
/** ComfyUI COMBO listing files in input/ (with an upload button) */
export interface ImageParam<N extends string = string> extends ParamBase<N> {
  kind: 'image';
  default: string;
  /** which file extensions the picker offers */
  accept?: readonly string[];
  /** ComfyUI's image_upload: the UI format stores an extra "upload" widget value after this one */
  upload?: boolean;
}
/** Any scalar (PrimitiveNode's value, which takes the type of the widgets it drives) */
export interface AnyParam<N extends string = string> extends ParamBase<N> {
  kind: 'any';
  default: number | string | boolean;
}

export type ParamSpec = NumberParam | IntParam | SeedParam | TextParam | SelectParam | ModelParam | BooleanParam | ImageParam | AnyParam;

export type ParamOfKind<K extends ParamKind> = Extract<ParamSpec, { kind: K }>;

export interface InputSpec<N extends string = string, T extends SocketType = SocketType> {
  name: N;
  type: T;
  optional?: boolean;
  description?: string;
}
export interface OutputSpec<N extends string = string, T extends SocketType = SocketType> {
  name: N;
  type: T;
  description?: string;
}

/** One entry of a node's ordered input list: a socket or a widget (ComfyUI mixes both in INPUT_TYPES order). */
export type IoSpec = InputSpec | ParamSpec;
export const isWidgetSpec = (s: IoSpec): s is ParamSpec => 'kind' in s;

export interface NodeSchema {
  /** ComfyUI's class id (our own nodes use ids ComfyUI does not have) */
  id: string;
  /** bumped when params or sockets change meaning; older nodes migrate (nodes/workflow/migrate.ts) */
  version: number;
  /** friendly display title */
  title: string;
  /** ComfyUI's category path, e.g. "sampling" or "latent/inpaint" */
  category: string;
  description: string;
  /** sockets and widgets in ComfyUI's input order */
  io: readonly IoSpec[];
  /** derived from io: the sockets */
  inputs: readonly InputSpec[];
  /** derived from io: the widgets */
  params: readonly ParamSpec[];
  outputs: readonly OutputSpec[];
  /** an output node is a sink: execution plans start from these */
  output?: boolean;
  /** an editor-only node (Note, PrimitiveNode): never executed; PrimitiveNode values are inlined before a run */
  frontendOnly?: boolean;
  /** kept for old workflows, hidden from the palette */
  deprecated?: boolean;
  /**
   * Other class ids that load as this node (ComfyUI's own aliases). `widgets` is the alias class's widget order
   * in UI-format files; its widgets this schema lacks are dropped (CheckpointLoader's config_name).
   */
  aliases?: readonly { id: string; widgets?: readonly string[] }[];
}

/** A parameter value as stored in a workflow file. */
export type ParamValue = number | string | boolean;

/** Whether the UI format stores a control_after_generate value right after this widget's value. */
export const hasControlWidget = (p: ParamSpec): boolean => p.kind === 'seed' || (p.kind === 'int' && p.control !== undefined);

/** The socket type a widget has when it is driven by a link (ComfyUI "convert widget to input"). */
export function paramSocketType(p: ParamSpec): SocketType {
  switch (p.kind) {
    case 'number':
      return 'FLOAT';
    case 'int':
    case 'seed':
      return 'INT';
    case 'text':
      return 'STRING';
    case 'boolean':
      return 'BOOLEAN';
    case 'any':
      return '*';
    default:
      return 'COMBO';
  }
}

/** Whether an output of type `from` may feed a socket (or linked widget) of type `to`. */
export function socketAccepts(to: SocketType, from: SocketType): boolean {
  if (to === from || to === '*' || from === '*') return true;
  // a combo widget takes a string (ComfyUI validates the value itself at run time)
  return to === 'COMBO' && from === 'STRING';
}
