import fs from 'node:fs';
import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { MODEL_FOLDERS, type ModelFolder } from '../../../nodes/types';
import { listModelEntries } from '../../config/model-list';
import { resolveModelFile } from '../../config/model-resolve';
import { cachedSha256Sync, sha256File } from '../../config/hash';
import { checkpointFamily } from '../../config/model-family';
import { ensureModelFolders, modelFolderInfo, modelUsage } from '../../config/model-overview';
import { REGISTRY } from '../../../nodes/registry';
import { publicProcedure, router } from '../../trpc';

export interface ModelFile {
  name: string;
  bytes: number;
  /** null until hashed (models.hash); hashing a multi-GB file is never done on listing */
  sha256: string | null;
  /** checkpoints only: sd1, sd2, sdxl, ... from the header; null when unknown */
  family: string | null;
}

const folderSchema = z.enum(MODEL_FOLDERS);

export const modelsRouter = router({
  list: publicProcedure.input(z.object({ folder: folderSchema.optional() }).optional()).query(async ({ ctx, input }) => {
    const folders: readonly ModelFolder[] = input?.folder ? [input.folder] : MODEL_FOLDERS;
    const out: Partial<Record<ModelFolder, ModelFile[]>> = {};
    for (const folder of folders) {
      const files = await Promise.all(
        listModelEntries(ctx.paths, folder).map(async ({ name, path: full }) => {
          // a file removed (or a link broken) while listing is left out, not an error
          const st = fs.statSync(full, { throwIfNoEntry: false });
          if (!st?.isFile()) return null;
          const family = folder === 'checkpoints' ? await checkpointFamily(full) : null;
          return { name, bytes: st.size, sha256: cachedSha256Sync(full), family };
        }),
      );
      out[folder] = files.filter((f) => f !== null);
    }
    return out;
  }),
  hash: publicProcedure.input(z.object({ folder: folderSchema, name: z.string().min(1) })).mutation(async ({ ctx, input }) => {
    // the listing follows links (models often live on other disks) but only to regular files: never a device like /dev/zero
    const r = resolveModelFile(ctx.paths, input.folder, input.name);
    if (!r.ok || !fs.statSync(r.path, { throwIfNoEntry: false })?.isFile())
      throw new TRPCError({ code: 'NOT_FOUND', message: `No model "${input.name}" in models/${input.folder}.` });
    return { sha256: await sha256File(r.path) };
  }),
  /** Every model folder with the directories it reads (full paths) and whether they exist. */
  folders: publicProcedure.query(({ ctx }) => modelFolderInfo(ctx.paths)),
  /** Creates the missing model folders (models/<folder>) and answers which it made. */
  ensureFolders: publicProcedure.mutation(async ({ ctx }) => ({ created: await ensureModelFolders(ctx.paths) })),
  /** Which saved workflows use which model file, by folder. */
  usage: publicProcedure.query(({ ctx }) => modelUsage(ctx.paths.workflows, REGISTRY.schemas)),
});
