import { defineNode } from '../node';
import { sigmasValue } from '../../server/runtime/sampling/socket-values';
import { alignYourStepsSigmas } from '../../server/runtime/sampling/custom-schedules';
import { schema } from './schema';

export default defineNode(schema, async ({ params }) => ({
  SIGMAS: sigmasValue(alignYourStepsSigmas(params.model_type, params.steps, params.denoise)),
}));
