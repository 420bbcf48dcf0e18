import { defineNode } from '../node';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs }) => {
  const type = params.sampling;
  // eps / v_prediction also say what a saved checkpoint predicts; lcm, x0 and img_to_img only change how it is sampled
  const prediction = type === 'eps' || type === 'v_prediction' ? type : inputs.model.prediction;
  return {
    MODEL: {
      ...inputs.model,
      prediction,
      sampling: { type, zsnr: params.zsnr },
      recipe: [...inputs.model.recipe, { step: 'model_sampling', sampling: type, zsnr: params.zsnr }],
    },
  };
});
