/** The contract between the scheduler and node implementations (server only). */
import type { LoomPaths } from '../server/config/paths';
import type { ModelCache } from '../server/scheduler/model-cache';
import type { ParamValue } from './types';
import type { Workflow } from './workflow/schema';
import type { ImageValue } from './values';

export interface OutputFile {
  /** path relative to the output folder, forward slashes */
  path: string;
  kind: 'image' | 'latent' | 'checkpoint' | 'preview';
  nodeId: string;
}

export interface RunContext {
  nodeId: string;
  /** params with schema defaults filled in, already validated */
  params: Readonly<Record<string, ParamValue>>;
  /** values of linked inputs by input name (optional inputs that are not linked are absent) */
  inputs: Readonly<Record<string, unknown>>;
  /** aborted when the job is cancelled: check it at least once per sampler step */
  signal: AbortSignal;
  /** sampler progress; a preview image every few steps when cheap */
  progress(step: number, total: number, preview?: ImageValue): void;
  paths: LoomPaths;
  models: ModelCache;
  /** the workflow being run (SaveImage embeds it) */
  workflow: Workflow;
  /** a warning shown to the user on this node (and printed by the CLI); the node carries on */
  warn(message: string): void;
  /** records a file the node wrote, for history and the UI */
  recordFile(file: Omit<OutputFile, 'nodeId'>): void;
}

/** Output values keyed by output name. */
export type NodeOutputs = Record<string, unknown>;
export type NodeRunner = (ctx: RunContext) => Promise<NodeOutputs>;

export type RunnerEntry =
  | { implemented: true; run: NodeRunner }
  | { implemented: false; reason: string };
