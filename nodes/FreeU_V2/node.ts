import { defineNode } from '../node';
import { withFreeU } from '../../server/runtime/patches/free-u';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs }) => ({ MODEL: withFreeU(inputs.model, { version: 2, ...params }) }));
