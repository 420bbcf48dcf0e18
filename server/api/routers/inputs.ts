import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { isWithin, realRoot } from '../../config/real-path';
import { publicProcedure, router } from '../../trpc';
import { inputPreview } from '../input-preview';

/** Leftover temp names of older upload/save code; current temp files start with a dot. */
const LEGACY_TEMP = /\.\d+\.(upload|tmp)$/;

/** Files in input/ (for LoadImage / LoadLatent pickers); upload is PUT /api/inputs/<name> (raw body). */
export const inputsRouter = router({
  list: publicProcedure
    .input(z.object({ extensions: z.array(z.string().regex(/^\.[\w]+$/)).optional() }).optional())
    .query(async ({ ctx, input }) => {
      const out: { name: string; bytes: number; modified: string }[] = [];
      const root = await realRoot(ctx.paths.input);
      const seen = new Set<string>();
      // symlinks are listed only when their real path stays inside input/; broken ones are skipped
      const walk = async (dir: string, prefix: string): Promise<void> => {
        const real = await fs.realpath(dir).catch(() => null);
        if (!real || !isWithin(root, real) || seen.has(real)) return;
        seen.add(real);
        const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
        for (const e of entries) {
          if (e.name.startsWith('.') || LEGACY_TEMP.test(e.name)) continue;
          const full = path.join(dir, e.name);
          const target = await fs.realpath(full).catch(() => null);
          if (!target || !isWithin(root, target)) continue;
          const st = await fs.stat(target).catch(() => null);
          if (!st) continue;
          if (st.isDirectory()) await walk(full, `${prefix}${e.name}/`);
          else if (st.isFile() && (!input?.extensions || input.extensions.some((x) => e.name.toLowerCase().endsWith(x.toLowerCase())))) {
            out.push({ name: prefix + e.name, bytes: st.size, modified: st.mtime.toISOString() });
          }
        }
      };
      await walk(ctx.paths.input, '');
      return out.sort((a, b) => a.name.localeCompare(b.name));
    }),
  /** A 256-px preview of an input image (LoadImage shows it on the node), or why there is none. */
  preview: publicProcedure
    .input(z.object({ name: z.string().min(1).max(1000) }))
    .query(({ ctx, input }) => inputPreview(ctx.paths.input, input.name)),
});
