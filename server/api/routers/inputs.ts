import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { publicProcedure, router } from '../../trpc';

/** Files in input/ (for LoadImage / LoadLatent pickers); upload is PUT /api/inputs/<name> (raw body). */
export const inputsRouter = router({
  list: publicProcedure
    .input(z.object({ extensions: z.array(z.string().regex(/^\.[\w]+$/)).optional() }).optional())
    .query(async ({ ctx, input }) => {
      const out: { name: string; bytes: number; modified: string }[] = [];
      const walk = async (dir: string, prefix: string): Promise<void> => {
        const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
        for (const e of entries) {
          if (e.name.startsWith('.')) continue;
          const full = path.join(dir, e.name);
          if (e.isDirectory()) await walk(full, `${prefix}${e.name}/`);
          else if (!input?.extensions || input.extensions.some((x) => e.name.toLowerCase().endsWith(x.toLowerCase()))) {
            const st = await fs.stat(full);
            if (st.isFile()) out.push({ name: prefix + e.name, bytes: st.size, modified: st.mtime.toISOString() });
          }
        }
      };
      await walk(ctx.paths.input, '');
      return out.sort((a, b) => a.name.localeCompare(b.name));
    }),
});
