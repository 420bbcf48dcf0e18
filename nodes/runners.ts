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

const done = (run: NodeRunner): RunnerEntry => ({ implemented: true, run });
const notYet = (needs: string): RunnerEntry => ({ implemented: false, reason: `needs ${needs}` });

export const RUNNERS: Readonly<Record<string, RunnerEntry>> = {
  LoadCheckpoint: notYet('server/runtime/checkpoint (state dict + family detection)'),
  ModelSamplingDiscrete: notYet('server/runtime/sampling (model sampling override)'),
  LoadVAE: notYet('server/runtime/checkpoint + models/vae'),
  LoadLora: notYet('server/runtime/checkpoint/lora (patches on a model handle)'),
  CLIPSetLastLayer: notYet('server/runtime/models/clip'),
  MergeCheckpoints: notYet('server/runtime/checkpoint merge patches'),
  TextEncode: notYet('server/runtime/text + models/clip'),
  EmptyLatent: done(EmptyLatent),
  LoadImage: done(LoadImage),
  VAEEncode: notYet('server/runtime/models/vae'),
  KSampler: notYet('server/runtime/sampling + models/unet'),
  KSamplerAdvanced: notYet('server/runtime/sampling + models/unet'),
  VAEDecode: notYet('server/runtime/models/vae'),
  SaveImage: done(SaveImage),
  PreviewImage: done(PreviewImage),
  SaveCheckpoint: notYet('server/runtime/io/safetensors-write + checkpoint materialisation'),
  LoadLatent: done(LoadLatent),
  SaveLatent: done(SaveLatent),
};

export function isImplemented(type: string, runners: Readonly<Record<string, RunnerEntry>> = RUNNERS): boolean {
  return Object.prototype.hasOwnProperty.call(runners, type) && runners[type].implemented;
}
