/**
 * Runs benchmark sections: `tsx bench/run.ts [section ...]` (default: every section).
 * A section is a file bench/<name>.ts exporting `async function run(): Promise<void>`.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.d.ts'))
  .map((f) => f.slice(0, -3))
  .sort();

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length) {
  process.stderr.write(`unknown bench section(s): ${unknown.join(', ')}; available: ${available.join(', ')}\n`);
  process.exit(1);
}

for (const name of wanted.length ? wanted : available) {
  const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as { run?: () => Promise<void> };
  // a file here that is not a section would be skipped without a word: refuse instead
  if (typeof mod.run !== 'function') throw new Error(`bench/${name}.ts exports no run(): not a bench section`);
  process.stdout.write(`\n== ${name} ==\n`);
  const t0 = performance.now();
  await mod.run();
  process.stdout.write(`(${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
}
