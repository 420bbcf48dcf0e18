/**
 * Node schemas are plain data: the UI, the validator and the runners all read these.
 * This file must stay free of server imports (the Next.js client bundles it).
 */
export const SOCKET_TYPES = ['MODEL', 'CLIP', 'VAE', 'CONDITIONING', 'LATENT', 'IMAGE'] as const;
export type SocketType = (typeof SOCKET_TYPES)[number];

export const MODEL_FOLDERS = ['checkpoints', 'loras', 'vae', 'clip', 'embeddings'] as const;
export type ModelFolder = (typeof MODEL_FOLDERS)[number];

export const PARAM_KINDS = ['number', 'int', 'seed', 'text', 'select', 'model', 'boolean', 'image'] as const;
export type ParamKind = (typeof PARAM_KINDS)[number];

export const SEED_CONTROLS = ['randomize', 'fixed', 'increment'] as const;
export type SeedControl = (typeof SEED_CONTROLS)[number];

/** Largest seed: seeds travel as decimal strings above Number.MAX_SAFE_INTEGER. */
export const SEED_MAX = 18446744073709551615n;

interface ParamBase {
  name: string;
  label?: string;
  description?: string;
}

export interface NumberParam extends ParamBase {
  kind: 'number';
  min: number;
  max: number;
  step: number;
  default: number;
  slider?: boolean;
}
export interface IntParam extends ParamBase {
  kind: 'int';
  min: number;
  max: number;
  step?: number;
  default: number;
  /** value must be a multiple of this (e.g. 8 for latent sizes) */
  multipleOf?: number;
}
export interface SeedParam extends ParamBase {
  kind: 'seed';
  /** number when safe, decimal string otherwise; range 0..2^64-1 */
  default: number | string;
  control: SeedControl;
}
export interface TextParam extends ParamBase {
  kind: 'text';
  default: string;
  multiline?: boolean;
}
export interface SelectParam extends ParamBase {
  kind: 'select';
  options: readonly string[];
  default: string;
}
export interface ModelParam extends ParamBase {
  kind: 'model';
  folder: ModelFolder;
  default: string;
  optional?: boolean;
}
export interface BooleanParam extends ParamBase {
  kind: 'boolean';
  default: boolean;
}
export interface ImageParam extends ParamBase {
  kind: 'image';
  /** a file name inside the input/ folder */
  default: string;
  /** which file extensions the picker offers */
  accept?: readonly string[];
}

export type ParamSpec =
  | NumberParam
  | IntParam
  | SeedParam
  | TextParam
  | SelectParam
  | ModelParam
  | BooleanParam
  | ImageParam;

export type ParamOfKind<K extends ParamKind> = Extract<ParamSpec, { kind: K }>;

export interface InputSpec {
  name: string;
  type: SocketType;
  optional?: boolean;
}
export interface OutputSpec {
  name: string;
  type: SocketType;
}

export type NodeCategory = 'loaders' | 'conditioning' | 'latent' | 'sampling' | 'image' | 'model_merging' | 'advanced';

export interface NodeSchema {
  id: string;
  version: number;
  title: string;
  category: NodeCategory;
  description: string;
  inputs: readonly InputSpec[];
  outputs: readonly OutputSpec[];
  params: readonly ParamSpec[];
  /** an output node is a sink: execution plans start from these */
  output?: boolean;
}

/** A parameter value as stored in a workflow file. */
export type ParamValue = number | string | boolean;
