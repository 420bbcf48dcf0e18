import { defineNode } from '../node';
import { modelSamplingOf } from '../../server/runtime/sampling/socket-values';
import { samplingPercentToSigma } from '../../server/runtime/sampling/custom-schedules';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs }) => ({
  sigma_value: samplingPercentToSigma(modelSamplingOf(inputs.model), params.sampling_percent, params.return_actual_sigma),
}));
