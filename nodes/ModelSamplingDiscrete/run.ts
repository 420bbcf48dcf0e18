import type { NodeRunner } from '../runner';
import { expectInput, isModelHandle, type ModelHandle } from '../../server/runtime/pipeline/handles';
import { boolParam, stringParam } from '../../server/runtime/pipeline/node-params';

const N = 'ModelSamplingDiscrete';
/** What the sampling runtime's ModelSamplingDiscrete implements (lcm, x0 and zero-terminal-SNR are not there yet). */
const SUPPORTED = ['eps', 'v_prediction'] as const;

export const run: NodeRunner = async (ctx) => {
  const model = expectInput(N, 'model', ctx.inputs.model, isModelHandle, 'a MODEL');
  const sampling = stringParam(N, ctx, 'sampling');
  if (!(SUPPORTED as readonly string[]).includes(sampling)) {
    throw new Error(`${N}: sampling "${sampling}" is not supported by the sampling runtime yet (supported: ${SUPPORTED.join(', ')}).`);
  }
  if (boolParam(N, ctx, 'zsnr')) throw new Error(`${N}: zsnr (zero terminal SNR rescaling) is not supported by the sampling runtime yet.`);
  const prediction = sampling as (typeof SUPPORTED)[number];
  const out: ModelHandle = { ...model, prediction, recipe: [...model.recipe, { step: 'model_sampling', prediction }] };
  return { model: out };
};
