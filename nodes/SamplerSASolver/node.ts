import { defineNode } from '../node';
import { samplerNodes } from '../../server/runtime/sampling/custom-sample';
import { modelSamplingOf } from '../../server/runtime/sampling/socket-values';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs }) => ({ SAMPLER: samplerNodes.SamplerSASolver(modelSamplingOf(inputs.model), params) }));
