import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Folder of the shared reference data: LOOM_GOLDEN_DIR or ../shared/golden beside the checkout. */
export function goldenDir(): string {
  return process.env.LOOM_GOLDEN_DIR ?? path.resolve(repoRoot, '../shared/golden');
}

export const haveGolden = existsSync(path.join(goldenDir(), 'README.md'));

/**
 * Path to a golden file. In CI a missing golden tree is a hard failure (never a silent skip);
 * outside CI, tests use `describeGolden` so they skip visibly.
 */
export function golden(...parts: string[]): string {
  if (!haveGolden) {
    throw new Error(`golden data not found at ${goldenDir()} (set LOOM_GOLDEN_DIR or place ../shared beside the checkout)`);
  }
  return path.join(goldenDir(), ...parts);
}

/** true when golden-dependent tests must run: always in CI, else only when the data is present. */
export const runGolden = process.env.CI === 'true' || haveGolden;

import { describe } from 'vitest';
/** describe() for suites that need ../shared/golden: runs in CI (fails loudly there if missing), skips visibly elsewhere. */
export const describeGolden = runGolden ? describe : describe.skip;
