import { REGISTRY } from '../../../nodes/registry';
import type { NodeSchema } from '../../../nodes/types';
import { publicProcedure, router } from '../../trpc';

export const nodesRouter = router({
  /** Every node schema of this build's registry (the editor builds its palette and nodes from these). */
  list: publicProcedure.query((): readonly NodeSchema[] => REGISTRY.list),
});
