/** tRPC is initialised once, here. Routers import only `router` and `publicProcedure`. */
import { initTRPC, TRPCError } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import type { LoomPaths } from './config/paths';
import type { Engine } from './scheduler/engine';
import { WorkflowInvalidError, type ValidationError } from './scheduler/errors';
import type { Limits } from './api/limits';
import { internalErrorMessage, isStackOverflow, scrubPaths } from './api/public-errors';
import { StoreFullError } from './store/errors';

export interface Context {
  engine: Engine;
  paths: LoomPaths;
  /** request limits (server/api/limits.ts); defaultLimits() when absent */
  limits?: Limits;
}

// meta: REST routes for the procedures the REST API exposes (server/rest/router.ts)
const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  .create({
    // never send stack traces to clients, whatever NODE_ENV says; the server log has them
    isDev: false,
    sse: {
      ping: { enabled: true, intervalMs: 10_000 },
      client: { reconnectAfterInactivityMs: 25_000 },
    },
    errorFormatter({ shape, error, ctx, path }) {
      const validationErrors: ValidationError[] | null = error.cause instanceof WorkflowInvalidError ? error.cause.errors : null;
      // unexpected errors (stack overflows included) become one line naming a log reference
      const message =
        error.code === 'INTERNAL_SERVER_ERROR'
          ? internalErrorMessage(error.cause ?? error, `tRPC ${path ?? '?'}`)
          : scrubPaths(error.message, ctx?.paths);
      const scrubbed = validationErrors?.map((v) => ({ ...v, message: scrubPaths(v.message, ctx?.paths) })) ?? null;
      // a full disk is 507 Insufficient Storage (server.ts sets the response status to match)
      const httpStatus = error.cause instanceof StoreFullError ? 507 : shape.data.httpStatus;
      return { ...shape, message, data: { ...shape.data, httpStatus, validationErrors: scrubbed } };
    },
  });

/** A stack overflow inside a procedure is the request's fault (too deep): 413 with a log reference, not a 500. */
const deepInputGuard = t.middleware(async ({ next, path }) => {
  const result = await next();
  if (!result.ok && isStackOverflow(result.error.cause)) {
    throw new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: internalErrorMessage(result.error.cause, `tRPC ${path}`) });
  }
  return result;
});

export const router = t.router;
export const publicProcedure = t.procedure.use(deepInputGuard);
export const createCallerFactory = t.createCallerFactory;
