import { defineNode } from '../node';
import { sigmasValue } from '../../server/runtime/sampling/socket-values';
import { polyexponentialSigmas } from '../../server/runtime/sampling/schedules';
import { schema } from './schema';

export default defineNode(schema, async ({ params }) => ({
  SIGMAS: sigmasValue(polyexponentialSigmas(params.steps, params.sigma_min, params.sigma_max, params.rho)),
}));
