import type { NodeRunner } from '../runner';
import { assertGenerationSupported, cachedCheckpoint, checkpointHandles } from '../../server/runtime/pipeline/load';
import { modelFile, stringParam } from '../../server/runtime/pipeline/node-params';

const PREDICTIONS = ['auto', 'eps', 'v_prediction'] as const;

export const run: NodeRunner = async (ctx) => {
  const file = modelFile('LoadCheckpoint', ctx, 'file', 'checkpoints');
  const prediction = stringParam('LoadCheckpoint', ctx, 'prediction');
  if (!(PREDICTIONS as readonly string[]).includes(prediction)) throw new Error(`LoadCheckpoint: prediction "${prediction}" is not one of ${PREDICTIONS.join(', ')}.`);
  const ck = await cachedCheckpoint(ctx.models, file, prediction as (typeof PREDICTIONS)[number]);
  assertGenerationSupported(ck);
  const { model, clip, vae } = checkpointHandles(ck, ctx.paths.models);
  return { model, clip, vae };
};
