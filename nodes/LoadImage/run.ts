import fs from 'node:fs/promises';
import type { NodeRunner } from '../runner';
import { safeJoin } from '../../server/config/paths';
import { decodePng } from '../_io/png';

export const run: NodeRunner = async ({ params, paths }) => {
  const file = safeJoin(paths.input, String(params.image));
  if (!file) throw new Error(`LoadImage: "${params.image}" is outside the input folder.`);
  return { image: decodePng(await fs.readFile(file)) };
};
