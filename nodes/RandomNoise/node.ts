import { defineNode } from '../node';

import { schema } from './schema';

export default defineNode(schema, async ({ params }) => ({ NOISE: { kind: 'random' as const, seed: params.noise_seed } }));
