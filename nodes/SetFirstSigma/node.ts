import { defineNode } from '../node';
import { sigmasValue } from '../../server/runtime/sampling/socket-values';
import { setFirstSigma } from '../../server/runtime/sampling/custom-schedules';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs }) => ({ SIGMAS: sigmasValue(setFirstSigma(inputs.sigmas.sigmas, params.sigma)) }));
