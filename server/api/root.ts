import { router } from '../trpc';
import { jobsRouter } from './routers/jobs';
import { modelsRouter } from './routers/models';
import { nodesRouter } from './routers/nodes';
import { workflowsRouter } from './routers/workflows';

export const appRouter = router({
  nodes: nodesRouter,
  models: modelsRouter,
  workflows: workflowsRouter,
  jobs: jobsRouter,
});

export type AppRouter = typeof appRouter;
