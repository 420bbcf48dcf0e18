import { defineNode } from '../node';
import { sigmasValue } from '../../server/runtime/sampling/socket-values';
import { vpSigmas } from '../../server/runtime/sampling/schedules';
import { schema } from './schema';

export default defineNode(schema, async ({ params }) => ({
  SIGMAS: sigmasValue(vpSigmas(params.steps, params.beta_d, params.beta_min, params.eps_s)),
}));
