/**
 * Node id → runner, server only. ML nodes stay `implemented: false` until their runtime lands:
 * the validator reports them as NODE_NOT_AVAILABLE instead of faking a result.
 * To wire one: write nodes/<Id>/run.ts exporting `run: NodeRunner`, import it here, replace notYet(...) with done(run).
 */
import type { NodeRunner, RunnerEntry } from './runner';
import { run as EmptyLatent } from './EmptyLatent/run';
import { run as SaveImage } from './SaveImage/run';
import { run as PreviewImage } from './PreviewImage/run';
import { run as LoadImage } from './LoadImage/run';
import { run as SaveLatent } from './SaveLatent/run';
import { run as LoadLatent } from './LoadLatent/run';
import { run as LoadCheckpoint } from './LoadCheckpoint/run';
import { run as TextEncode } from './TextEncode/run';
import { run as CLIPTextEncodeSDXL } from './CLIPTextEncodeSDXL/run';
import { run as KSampler } from './KSampler/run';
import { run as KSamplerAdvanced } from './KSamplerAdvanced/run';
import { run as VAEDecode } from './VAEDecode/run';
import { run as VAEEncode } from './VAEEncode/run';
import { run as ModelSamplingDiscrete } from './ModelSamplingDiscrete/run';
import { run as LoadVAE } from './LoadVAE/run';
import { run as LoadLora } from './LoadLora/run';
import { run as CLIPSetLastLayer } from './CLIPSetLastLayer/run';
import { run as MergeCheckpoints } from './MergeCheckpoints/run';
import { run as SaveCheckpoint } from './SaveCheckpoint/run';

const done = (run: NodeRunner): RunnerEntry => ({ implemented: true, run });

export const RUNNERS: Readonly<Record<string, RunnerEntry>> = {
  LoadCheckpoint: done(LoadCheckpoint),
  ModelSamplingDiscrete: done(ModelSamplingDiscrete),
  LoadVAE: done(LoadVAE),
  LoadLora: done(LoadLora),
  CLIPSetLastLayer: done(CLIPSetLastLayer),
  MergeCheckpoints: done(MergeCheckpoints),
  TextEncode: done(TextEncode),
  CLIPTextEncodeSDXL: done(CLIPTextEncodeSDXL),
  EmptyLatent: done(EmptyLatent),
  LoadImage: done(LoadImage),
  VAEEncode: done(VAEEncode),
  KSampler: done(KSampler),
  KSamplerAdvanced: done(KSamplerAdvanced),
  VAEDecode: done(VAEDecode),
  SaveImage: done(SaveImage),
  PreviewImage: done(PreviewImage),
  SaveCheckpoint: done(SaveCheckpoint),
  LoadLatent: done(LoadLatent),
  SaveLatent: done(SaveLatent),
};

export function isImplemented(type: string, runners: Readonly<Record<string, RunnerEntry>> = RUNNERS): boolean {
  return Object.prototype.hasOwnProperty.call(runners, type) && runners[type].implemented;
}
