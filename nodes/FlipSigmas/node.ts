import { defineNode } from '../node';
import { sigmasValue } from '../../server/runtime/sampling/socket-values';
import { flipSigmas } from '../../server/runtime/sampling/custom-schedules';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs }) => ({ SIGMAS: sigmasValue(flipSigmas(inputs.sigmas.sigmas)) }));
