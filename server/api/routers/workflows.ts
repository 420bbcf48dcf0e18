import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { parseWorkflow, WorkflowFormatError } from '../../../nodes/workflow/migrate';
import { paramValueSchema } from '../../../nodes/workflow/schema';
import { publicProcedure, router } from '../../trpc';

/** Library names are plain file names: no folders, no traversal. */
const nameSchema = z.string().trim().min(1).max(120).regex(/^[\w\- .()]+$/, 'use letters, digits, spaces, - _ . ( )').refine((n) => !n.startsWith('.'), 'must not start with a dot');
const fileOf = (dir: string, name: string) => path.join(dir, name.endsWith('.json') ? name : `${name}.json`);

const libraryRouter = router({
  /** name, title, node count, size, modified time: from the store's index of the folder */
  list: publicProcedure.query(({ ctx }) => ctx.engine.library()),
  load: publicProcedure.input(z.object({ name: nameSchema })).query(async ({ ctx, input }) => {
    const text = await fs.readFile(fileOf(ctx.paths.workflows, input.name), 'utf8').catch(() => null);
    if (text === null) throw new TRPCError({ code: 'NOT_FOUND', message: `No saved workflow "${input.name}".` });
    try {
      return parseWorkflow(JSON.parse(text));
    } catch (e) {
      throw new TRPCError({ code: 'UNPROCESSABLE_CONTENT', message: `Saved workflow "${input.name}" is unreadable: ${(e as Error).message}` });
    }
  }),
  save: publicProcedure.input(z.object({ name: nameSchema, workflow: z.unknown() })).mutation(async ({ ctx, input }) => {
    let wf;
    try {
      wf = parseWorkflow(input.workflow);
    } catch (e) {
      throw new TRPCError({ code: 'BAD_REQUEST', message: e instanceof WorkflowFormatError ? e.message : String(e) });
    }
    await fs.mkdir(ctx.paths.workflows, { recursive: true });
    const file = fileOf(ctx.paths.workflows, input.name);
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(wf, null, 2));
    await fs.rename(tmp, file);
    return { name: input.name };
  }),
  delete: publicProcedure.input(z.object({ name: nameSchema })).mutation(async ({ ctx, input }) => {
    await fs.rm(fileOf(ctx.paths.workflows, input.name), { force: true });
    return { name: input.name };
  }),
});

export const overridesSchema = z.record(z.string().regex(/^.+\.[^.]+$/, 'node.param'), paramValueSchema);

export const workflowsRouter = router({
  /** Validates any accepted format (ours, ComfyUI UI or API) without queueing; returns the normalised workflow. */
  validate: publicProcedure
    .input(z.object({ workflow: z.unknown(), overrides: overridesSchema.optional() }))
    .mutation(async ({ ctx, input }) => {
      const r = await ctx.engine.prepare(input.workflow, input.overrides);
      return { ok: r.errors.length === 0, errors: r.errors, warnings: r.warnings, workflow: r.workflow };
    }),
  library: libraryRouter,
});
