import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { parseWorkflow, WorkflowFormatError } from '../../../nodes/workflow/migrate';
import { paramValueSchema } from '../../../nodes/workflow/schema';
import { publicProcedure, router } from '../../trpc';
import { resolveFileInside } from '../../config/real-path';
import { writeFileAtomic } from '../../io/atomic-write';
import { defaultLimits, describeLimit, workflowTooLarge } from '../limits';

/** Library names are plain file names: no folders, no traversal. */
const nameSchema = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .regex(/^[\w\- .()]+$/, 'use letters, digits, spaces, - _ . ( )')
  .refine((n) => !n.startsWith('.'), 'must not start with a dot');
const fileName = (name: string) => (name.endsWith('.json') ? name : `${name}.json`);

function refuseLarge(workflow: unknown, limits = defaultLimits()): void {
  const tooLarge = workflowTooLarge(workflow, limits);
  if (tooLarge) throw new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: tooLarge });
}

const libraryRouter = router({
  /** name, title, node count, size, modified time: from the store's index of the folder */
  list: publicProcedure.query(({ ctx }) => ctx.engine.library()),
  load: publicProcedure.input(z.object({ name: nameSchema })).query(async ({ ctx, input }) => {
    const found = await resolveFileInside(ctx.paths.workflows, fileName(input.name));
    if (found.status === 'outside')
      throw new TRPCError({ code: 'FORBIDDEN', message: `Saved workflow "${input.name}" links outside the workflows folder; it is not read.` });
    if (found.status !== 'file') throw new TRPCError({ code: 'NOT_FOUND', message: `No saved workflow "${input.name}".` });
    const limits = ctx.limits ?? defaultLimits();
    if (found.size > limits.body.value) {
      throw new TRPCError({
        code: 'PAYLOAD_TOO_LARGE',
        message: `Saved workflow "${input.name}" is ${found.size} bytes; ${describeLimit('a workflow file', limits.body, 'bytes')}.`,
      });
    }
    const text = await fs.readFile(found.real, 'utf8').catch(() => null);
    if (text === null) throw new TRPCError({ code: 'NOT_FOUND', message: `No saved workflow "${input.name}".` });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // JSON.parse's message quotes the file's text: never echo a file's content
      throw new TRPCError({ code: 'UNPROCESSABLE_CONTENT', message: `Saved workflow "${input.name}" is unreadable: not valid JSON.` });
    }
    try {
      return parseWorkflow(json);
    } catch (e) {
      const why = e instanceof WorkflowFormatError ? e.message : 'not a workflow';
      throw new TRPCError({ code: 'UNPROCESSABLE_CONTENT', message: `Saved workflow "${input.name}" is unreadable: ${why}` });
    }
  }),
  save: publicProcedure.input(z.object({ name: nameSchema, workflow: z.unknown() })).mutation(async ({ ctx, input }) => {
    refuseLarge(input.workflow, ctx.limits);
    let wf: ReturnType<typeof parseWorkflow>;
    try {
      wf = parseWorkflow(input.workflow);
    } catch (e) {
      throw new TRPCError({ code: 'BAD_REQUEST', message: e instanceof WorkflowFormatError ? e.message : String(e) });
    }
    // a unique temp file per save, renamed into place: concurrent saves of one name each land whole, the last wins
    try {
      await writeFileAtomic(fileName(input.name), JSON.stringify(wf, null, 2), { root: ctx.paths.workflows });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EISDIR' || code === 'ENOTEMPTY')
        throw new TRPCError({ code: 'CONFLICT', message: `"${fileName(input.name)}" is a folder in workflows/.` });
      if (code === 'ENOSPC' || code === 'EDQUOT')
        throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'The disk is full; the workflow was not saved.' });
      throw e;
    }
    return { name: input.name };
  }),
  delete: publicProcedure.input(z.object({ name: nameSchema })).mutation(async ({ ctx, input }) => {
    // removes the entry itself (a link, never what it points to)
    await fs.rm(path.join(ctx.paths.workflows, fileName(input.name)), { force: true }).catch((e: NodeJS.ErrnoException) => {
      throw new TRPCError({ code: 'CONFLICT', message: `"${fileName(input.name)}" could not be deleted (${e.code ?? 'error'}).` });
    });
    return { name: input.name };
  }),
});

export const overridesSchema = z.record(z.string().regex(/^.+\.[^.]+$/, 'node.param'), paramValueSchema);

export const workflowsRouter = router({
  /** Validates any accepted format (ours, ComfyUI UI or API) without queueing; returns the normalised workflow. */
  validate: publicProcedure.input(z.object({ workflow: z.unknown(), overrides: overridesSchema.optional() })).mutation(async ({ ctx, input }) => {
    refuseLarge(input.workflow, ctx.limits);
    const r = await ctx.engine.prepare(input.workflow, input.overrides);
    return { ok: r.errors.length === 0, errors: r.errors, warnings: r.warnings, workflow: r.workflow };
  }),
  library: libraryRouter,
});
