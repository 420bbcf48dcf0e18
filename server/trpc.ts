/** tRPC is initialised once, here. Routers import only `router` and `publicProcedure`. */
import { initTRPC } from '@trpc/server';
import type { LoomPaths } from './config/paths';
import type { Engine } from './scheduler/engine';
import { WorkflowInvalidError, type ValidationError } from './scheduler/errors';
import { StoreFullError } from './store/errors';

export interface Context {
  engine: Engine;
  paths: LoomPaths;
}

const t = initTRPC.context<Context>().create({
  sse: {
    ping: { enabled: true, intervalMs: 10_000 },
    client: { reconnectAfterInactivityMs: 25_000 },
  },
  errorFormatter({ shape, error }) {
    const validationErrors: ValidationError[] | null = error.cause instanceof WorkflowInvalidError ? error.cause.errors : null;
    // a full disk is 507 Insufficient Storage (server.ts sets the response status to match)
    const httpStatus = error.cause instanceof StoreFullError ? 507 : shape.data.httpStatus;
    return { ...shape, data: { ...shape.data, httpStatus, validationErrors } };
  },
});

export const router = t.router;
export const publicProcedure = t.procedure;
export const createCallerFactory = t.createCallerFactory;
