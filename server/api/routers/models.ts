import fs from 'node:fs';
import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { MODEL_FOLDERS, type ModelFolder } from '../../../nodes/types';
import { listModelFiles, modelFolder, safeJoin } from '../../config/paths';
import { cachedSha256, sha256File } from '../../config/hash';
import { publicProcedure, router } from '../../trpc';

export interface ModelFile {
  name: string;
  bytes: number;
  /** null until hashed (models.hash); hashing a multi-GB file is never done on listing */
  sha256: string | null;
  /** null until the runtime's family detection lands */
  family: string | null;
}

const folderSchema = z.enum(MODEL_FOLDERS);

export const modelsRouter = router({
  list: publicProcedure
    .input(z.object({ folder: folderSchema.optional() }).optional())
    .query(({ ctx, input }) => {
      const folders: readonly ModelFolder[] = input?.folder ? [input.folder] : MODEL_FOLDERS;
      const out: Partial<Record<ModelFolder, ModelFile[]>> = {};
      for (const folder of folders) {
        out[folder] = listModelFiles(ctx.paths, folder).map((name) => {
          const full = modelFolder(ctx.paths, folder) + '/' + name;
          return { name, bytes: fs.statSync(full).size, sha256: cachedSha256(full), family: null };
        });
      }
      return out;
    }),
  hash: publicProcedure
    .input(z.object({ folder: folderSchema, name: z.string().min(1) }))
    .mutation(async ({ ctx, input }) => {
      const full = safeJoin(modelFolder(ctx.paths, input.folder), input.name);
      if (!full || !fs.existsSync(full)) throw new TRPCError({ code: 'NOT_FOUND', message: `No model "${input.name}" in models/${input.folder}.` });
      return { sha256: await sha256File(full) };
    }),
});
