import { defineNode } from '../node';
import { samplerNodes } from '../../server/runtime/sampling/custom-sample';
import { schema } from './schema';

export default defineNode(schema, async ({ params }) => ({ SAMPLER: samplerNodes.SamplerDPMPP_SDE(params) }));
