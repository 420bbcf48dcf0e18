import { defineNode } from '../node';
import { cachedHypernetwork } from '../../server/runtime/loaders/hypernetwork';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs, ctx }) => {
  const { net, id } = await cachedHypernetwork(ctx.models, params.hypernetwork_name.path, ctx.signal);
  const model = inputs.model;
  return {
    MODEL: {
      ...model,
      hypernets: [...(model.hypernets ?? []), { id, strength: params.strength, net }],
      key: `${model.key}+hypernet(${id}@${params.strength})`,
      recipe: [...model.recipe, { step: 'hypernetwork', file: params.hypernetwork_name.name, strength: params.strength }],
    },
  };
});
