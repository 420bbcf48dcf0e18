import { defineNode } from '../node';
import { modelSamplingOf, sigmasValue } from '../../server/runtime/sampling/socket-values';
import { sdTurboSigmas } from '../../server/runtime/sampling/custom-schedules';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs }) => ({
  SIGMAS: sigmasValue(sdTurboSigmas(modelSamplingOf(inputs.model), params.steps, params.denoise)),
}));
