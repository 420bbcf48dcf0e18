import { defineNode } from '../node';
import { modelSamplingOf, sigmasValue } from '../../server/runtime/sampling/socket-values';
import { basicSchedulerSigmas } from '../../server/runtime/sampling/custom-schedules';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs }) => ({
  SIGMAS: sigmasValue(basicSchedulerSigmas(modelSamplingOf(inputs.model), params.scheduler, params.steps, params.denoise)),
}));
