/**
 * What hashing the sources costs a merge: `latentloom merge` of two SD1.5-sized fp16 files (random values) with
 * --no-hash and with hashing, interleaved, the hashes taken from the merge's own reads (the first merge of files
 * not seen before) and from the cache (a later merge). The stand-alone sha256 of both files is the old cost.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sha256File } from '../server/runtime/checkpoint/hash';
import { mergeCheckpointFiles } from '../server/runtime/checkpoint/merge';
import { writeModel } from './io-merge';
import { figureLog, timed } from './lib/measure';

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loom-bench-mh-'));
  const before = process.env.LOOM_CACHE_DIR;
  const { note } = figureLog();
  try {
    const [a, b] = [path.join(dir, 'a.safetensors'), path.join(dir, 'b.safetensors')];
    await writeModel(a, 1);
    await writeModel(b, 2);
    note('mh_source_gb', statSync(a).size / 1e9, 'each source (GB, fp16)');
    let n = 0;
    const merge = (hashSources: boolean) =>
      timed(() =>
        mergeCheckpointFiles({
          a,
          b,
          mode: 'weighted',
          ratios: { base: 0.3 },
          out: path.join(dir, `m${n++}.safetensors`),
          dtype: 'F16',
          hashSources,
        }),
      );
    // a first merge warms the page cache for every run after it
    await merge(false);
    rmSync(path.join(dir, 'm0.safetensors'));
    const plain: number[] = [];
    const hashed: number[] = [];
    for (let round = 0; round < 2; round++) {
      // a fresh hash cache each round: the sources are "not seen before"
      process.env.LOOM_CACHE_DIR = path.join(dir, `hash-cache-${round}`);
      plain.push((await merge(false))[1]);
      hashed.push((await merge(true))[1]);
      for (const f of [`m${n - 2}`, `m${n - 1}`]) rmSync(path.join(dir, `${f}.safetensors`));
    }
    const [, cachedS] = await merge(true);
    rmSync(path.join(dir, `m${n - 1}.safetensors`));
    const [, aloneS] = await timed(async () => {
      await sha256File(a);
      await sha256File(b);
    });
    const mean = (v: number[]) => v.reduce((x, y) => x + y, 0) / v.length;
    note('mh_no_hash_s', mean(plain), `merge --no-hash (s, mean of ${plain.length}: ${plain.map((s) => s.toFixed(1)).join(', ')})`);
    note(
      'mh_first_hash_s',
      mean(hashed),
      `merge hashing sources not seen before (s, mean of ${hashed.length}: ${hashed.map((s) => s.toFixed(1)).join(', ')})`,
    );
    note('mh_first_ratio', mean(hashed) / mean(plain), '  first merge with hashing / --no-hash (target <= 1.2)');
    note('mh_cached_hash_s', cachedS, 'merge with the hashes already cached (s)');
    note('mh_standalone_sha_s', aloneS, 'reference: stand-alone sha256 of both sources, one after the other (s; what hashing used to add)');
  } finally {
    if (before === undefined) delete process.env.LOOM_CACHE_DIR;
    else process.env.LOOM_CACHE_DIR = before;
    rmSync(dir, { recursive: true, force: true });
  }
}
