import { defineNode } from '../node';
import { schema } from './schema';

/** What the sampling runtime's ModelSamplingDiscrete implements so far. */
const SUPPORTED = ['eps', 'v_prediction'] as const;
const isSupported = (s: string): s is (typeof SUPPORTED)[number] => (SUPPORTED as readonly string[]).includes(s);

export default defineNode(schema, async ({ params, inputs }) => {
  if (!isSupported(params.sampling)) throw new Error(`sampling "${params.sampling}" is not supported by the sampling runtime yet (supported: ${SUPPORTED.join(', ')}).`);
  if (params.zsnr) throw new Error('zsnr (zero terminal SNR rescaling) is not supported by the sampling runtime yet.');
  const prediction = params.sampling;
  return { MODEL: { ...inputs.model, prediction, recipe: [...inputs.model.recipe, { step: 'model_sampling', prediction }] } };
});
