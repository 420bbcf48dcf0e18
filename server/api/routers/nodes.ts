import { NODE_SCHEMAS } from '../../../nodes/schemas';
import { RUNNERS } from '../../../nodes/runners';
import type { NodeSchema } from '../../../nodes/types';
import { publicProcedure, router } from '../../trpc';

export type NodeInfo = NodeSchema & { available: boolean; unavailableReason?: string };

export const nodesRouter = router({
  /** Every node schema, with whether this build can run it yet. */
  list: publicProcedure.query((): NodeInfo[] =>
    NODE_SCHEMAS.map((s) => {
      const r = RUNNERS[s.id];
      return r?.implemented ? { ...s, available: true } : { ...s, available: false, unavailableReason: r ? r.reason : 'no runner registered' };
    })),
});
