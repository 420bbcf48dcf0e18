/**
 * The contract between the scheduler and node implementations (server only). A node folder's `node.ts` default-exports
 * `defineNode(schema, run)`; `run` receives params and inputs typed from the schema, already checked and converted
 * (seeds as bigint, model and input files resolved to paths), so implementations hold no casts or re-checks.
 */
import type { LoomPaths } from '../server/config/paths';
import type { SamplerSpec } from '../server/runtime/sampling/custom-sample';
import type { NoiseSpec } from '../server/runtime/sampling/noise';
import type { SigmasValue } from '../server/runtime/sampling/socket-values';
import type { GuiderValue } from '../server/runtime/sampling/guider-value';
import type {
  ClipHandle,
  ClipVisionHandle,
  ClipVisionOutput,
  Conditioning,
  ControlNetHandle,
  GligenHandle,
  ModelHandle,
  StyleModelHandle,
  UpscaleModelHandle,
  VaeHandle,
} from '../server/runtime/handles';
import type { ModelCache } from '../server/runtime/model-cache';
import type { ImageValue, LatentValue, MaskValue } from '../server/runtime/values';
import type { SchemaMap } from './schemas';
import type { InputSpec, NodeSchema, OutputSpec, ParamSpec, ParamValue, SocketType } from './types';
import type { Workflow } from './workflow/schema';

/** What travels on each socket type. Types without an entry yet carry `unknown` until their nodes land. */
export interface SocketValues {
  MODEL: ModelHandle;
  CLIP: ClipHandle;
  VAE: VaeHandle;
  CONDITIONING: Conditioning;
  LATENT: LatentValue;
  IMAGE: ImageValue;
  MASK: MaskValue;
  INT: number;
  FLOAT: number;
  STRING: string;
  BOOLEAN: boolean;
  COMBO: string;
  CLIP_VISION: ClipVisionHandle;
  CLIP_VISION_OUTPUT: ClipVisionOutput;
  GLIGEN: GligenHandle;
  STYLE_MODEL: StyleModelHandle;
  CONTROL_NET: ControlNetHandle;
  SIGMAS: SigmasValue;
  SAMPLER: SamplerSpec;
  NOISE: NoiseSpec;
  GUIDER: GuiderValue;
  UPSCALE_MODEL: UpscaleModelHandle;
}
export type SocketValue<T extends SocketType> = T extends keyof SocketValues ? SocketValues[T] : unknown;

/** A file named by a model or input-file widget: the name as written in the workflow, and where it is. */
export interface FileRef {
  readonly name: string;
  readonly path: string;
}

type ParamValueOf<P> = P extends { kind: 'seed' }
  ? bigint
  : P extends { kind: 'int' | 'number' }
    ? number
    : P extends { kind: 'boolean' }
      ? boolean
      : P extends { kind: 'select'; options: readonly (infer O)[] }
        ? O
        : P extends { kind: 'model'; optional: true }
          ? FileRef | null
          : P extends { kind: 'model' | 'image' }
            ? FileRef
            : P extends { kind: 'any' }
              ? ParamValue
              : string;

type Named = { name: string };
export type ParamsOf<S extends { params: readonly ParamSpec[] }> = {
  readonly [P in S['params'][number] as P extends Named ? P['name'] : never]: ParamValueOf<P>;
};
export type InputsOf<S extends { inputs: readonly InputSpec[] }> = {
  readonly [I in S['inputs'][number] as I extends Named ? I['name'] : never]: I extends { optional: true }
    ? SocketValue<I['type']> | undefined
    : SocketValue<I['type']>;
};
export type OutputsOf<S extends { outputs: readonly OutputSpec[] }> = {
  [O in S['outputs'][number] as O extends Named ? O['name'] : never]: SocketValue<O['type']>;
};

export interface OutputFile {
  /** path relative to the output folder, forward slashes */
  path: string;
  kind: 'image' | 'latent' | 'checkpoint' | 'preview';
  nodeId: string;
}

/** Work a node reports in steps besides sampling (shown as "loading model (n/m)"). */
export type ProgressStage = 'loading model';

/** What a node's warm() may use: it starts loads early and must not fail (its run reports the error). */
export type WarmContext = Pick<RunContext, 'models' | 'signal'>;

export interface RunContext {
  readonly nodeId: string;
  /** aborted when the job is cancelled: check it at least once per sampler step */
  readonly signal: AbortSignal;
  /** sampler progress; a preview image every few steps when cheap; `stage` names other work counted in steps */
  progress(step: number, total: number, preview?: ImageValue, stage?: ProgressStage): void;
  readonly paths: LoomPaths;
  readonly models: ModelCache;
  /** the workflow as submitted (SaveImage embeds it) */
  readonly workflow: Workflow;
  /** every node schema (exporters need them to write ComfyUI's formats) */
  readonly schemas: SchemaMap;
  /** a warning shown to the user on this node (and printed by the CLI); the node carries on */
  warn(message: string): void;
  /** records a file the node wrote, for history and the UI */
  recordFile(file: Omit<OutputFile, 'nodeId'>): void;
}

export interface RunArgs<S extends NodeSchema> {
  params: ParamsOf<S>;
  inputs: InputsOf<S>;
  ctx: RunContext;
}

/** Output values keyed by output name. */
export type NodeOutputs = Record<string, unknown>;

export interface NodeImplementation {
  readonly schema: NodeSchema;
  run(args: { params: Readonly<Record<string, unknown>>; inputs: Readonly<Record<string, unknown>>; ctx: RunContext }): Promise<NodeOutputs>;
  /**
   * Extra cache-key material for what the node reads besides its widgets' files (ComfyUI's IS_CHANGED), e.g. the
   * embeddings a prompt names. Files named by model and input-file widgets are fingerprinted by the scheduler.
   */
  fingerprint?(params: Readonly<Record<string, unknown>>, paths: LoomPaths): Promise<string>;
  /**
   * Called by the scheduler each time one of the node's inputs becomes known, before the node runs (with the inputs
   * known so far), so it can start slow loads (a UNet session) while earlier nodes (the text encoder) still run.
   */
  warm?(inputs: Readonly<Record<string, unknown>>, ctx: WarmContext): void;
}

export function defineNode<const S extends NodeSchema>(
  schema: S,
  run: (args: RunArgs<S>) => Promise<OutputsOf<S>>,
  extra: {
    fingerprint?: (params: ParamsOf<S>, paths: LoomPaths) => Promise<string>;
    warm?: (inputs: Partial<InputsOf<S>>, ctx: WarmContext) => void;
  } = {},
): NodeImplementation {
  return {
    schema,
    run: run as NodeImplementation['run'],
    ...(extra.fingerprint ? { fingerprint: extra.fingerprint as NodeImplementation['fingerprint'] } : {}),
    ...(extra.warm ? { warm: extra.warm as NodeImplementation['warm'] } : {}),
  };
}
