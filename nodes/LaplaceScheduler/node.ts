import { defineNode } from '../node';
import { sigmasValue } from '../../server/runtime/sampling/socket-values';
import { laplaceSigmas } from '../../server/runtime/sampling/custom-schedules';
import { schema } from './schema';

export default defineNode(schema, async ({ params }) => ({
  SIGMAS: sigmasValue(laplaceSigmas(params.steps, params.sigma_min, params.sigma_max, params.mu, params.beta)),
}));
