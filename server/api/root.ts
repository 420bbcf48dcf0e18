import { router } from '../trpc';
import { inputsRouter } from './routers/inputs';
import { jobsRouter } from './routers/jobs';
import { modelsRouter } from './routers/models';
import { nodesRouter } from './routers/nodes';
import { workflowsRouter } from './routers/workflows';

export const appRouter = router({
  nodes: nodesRouter,
  models: modelsRouter,
  workflows: workflowsRouter,
  jobs: jobsRouter,
  inputs: inputsRouter,
});

export type AppRouter = typeof appRouter;
