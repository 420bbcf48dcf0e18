import { defineNode } from '../node';

import { schema } from './schema';

export default defineNode(schema, async () => ({ NOISE: { kind: 'disabled' as const } }));
