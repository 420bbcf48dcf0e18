import type { NodeRunner } from '../runner';
import { cachedVae } from '../../server/runtime/pipeline/load';
import { modelFile } from '../../server/runtime/pipeline/node-params';

export const run: NodeRunner = async (ctx) => {
  const file = modelFile('LoadVAE', ctx, 'file', 'vae');
  return { vae: await cachedVae(ctx.models, file) };
};
