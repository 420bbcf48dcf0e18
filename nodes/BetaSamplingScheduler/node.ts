import { defineNode } from '../node';
import { modelSamplingOf, sigmasValue } from '../../server/runtime/sampling/socket-values';
import { betaSamplingSigmas } from '../../server/runtime/sampling/custom-schedules';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs }) => ({
  SIGMAS: sigmasValue(betaSamplingSigmas(modelSamplingOf(inputs.model), params.steps, params.alpha, params.beta)),
}));
