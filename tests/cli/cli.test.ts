import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSafetensors } from '@/server/runtime/io/safetensors';
import { describeGolden, golden } from '../helpers/golden';
import { scratchDir } from '../runtime/io/st-fixtures';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repo, 'bin/latentloom.mjs');
const tmp = scratchDir('cli');
afterAll(() => tmp.cleanup());

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: repo, env: { ...process.env, LOOM_CACHE_DIR: tmp.file('cache') }, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** the contract for bad input: exit 1, exactly one line, no stack trace */
function expectOneLineError(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(1);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^latentloom: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describeGolden('latentloom CLI', () => {
  it('inspect --json reports family, components, training state and hashes', async () => {
    const r = await cli('inspect', golden('ckpt', 'tiny-sd1-training.ckpt'), '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown> & { components: Record<string, { parameters: number; tensors: number }> };
    expect(j).toMatchObject({ format: 'ckpt', family: 'sd1', variant: 'normal', prediction: 'eps', training: 'full' });
    expect(j.components.unet.tensors).toBe(494);
    expect(j.components.clip.parameters).toBeGreaterThan(6_000_000);
    expect(j.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(j.autoV2).toBe((j.sha256 as string).slice(0, 10).toUpperCase());
    expect(j.trainingState).toMatchObject({ global_step: 470000, epoch: 12 });
  });

  it('inspect prints a readable summary of a pruned safetensors', async () => {
    const r = await cli('inspect', golden('tiny-sdxl', 'model.safetensors'), '--no-hash');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/family\s+sdxl/);
    expect(r.stdout).toMatch(/clip_g/);
    expect(r.stdout).toMatch(/training\s+pruned/);
  });

  it('inspect describes a LoRA instead of refusing it', async () => {
    const r = await cli('inspect', golden('lora', 'tiny-sd1-lora.safetensors'), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'lora' });
  });

  it('convert turns the .ckpt into a .safetensors with the same tensors', async () => {
    const out = tmp.file('converted.safetensors');
    const r = await cli('convert', golden('ckpt', 'tiny-sd1-training.ckpt'), out, '--prune');
    expect(r.code, r.stderr).toBe(0);
    const [a, b] = await Promise.all([openSafetensors(out), openSafetensors(golden('tiny-sd1', 'model.safetensors'))]);
    expect(a.tensors.size).toBe(723); // the two LitEma scalars pruned
    for (const [name, t] of a.tensors) expect(Buffer.from(await t.read()).equals(await b.tensors.get(name)!.read()), name).toBe(true);
    expect(JSON.parse(a.metadata['latentloom.convert'])).toMatchObject({ prune: true, format: 'ckpt' });
  });

  it('merge writes the weighted sum with its recipe', async () => {
    const out = tmp.file('merged.safetensors');
    const r = await cli(
      'merge',
      '--a',
      golden('tiny-sd1', 'model.safetensors'),
      '--b',
      golden('tiny-sd1', 'model_b.safetensors'),
      '--alpha',
      '0.3',
      '--out',
      out,
      '--fp16',
      '--no-hash',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/710 merged/);
    const m = await openSafetensors(out);
    expect(JSON.parse(m.metadata['latentloom.merge'])).toMatchObject({ mode: 'weighted', ratios: { base: 0.3 } });
    const bad = await cli(
      'merge',
      '--a',
      golden('tiny-sd1', 'model.safetensors'),
      '--b',
      golden('tiny-sd1', 'model_b.safetensors'),
      '--alpha',
      '0.3',
      '--blocks',
      '1,2,3',
      '--out',
      out,
    );
    expectOneLineError(bad, /needs 25 block ratios/);
  });

  it.each([
    ['a malicious pickle', () => golden('ckpt', 'malicious-os-system.ckpt'), /refused unsafe global posix\.system/],
    ['a legacy torch file', () => golden('ckpt', 'legacy-format.pt'), /legacy PyTorch serialization is not supported/],
    [
      'a truncated safetensors',
      () => {
        const p = tmp.file('truncated.safetensors');
        writeFileSync(p, readFileSync(golden('tiny-sd1', 'model.safetensors')).subarray(0, 200_000));
        return p;
      },
      /truncated/,
    ],
    [
      'a truncated ckpt',
      () => {
        const p = tmp.file('truncated.ckpt');
        writeFileSync(p, readFileSync(golden('ckpt', 'tiny-sd1.ckpt')).subarray(0, 300_000));
        return p;
      },
      /zip: end of central directory not found/,
    ],
  ])('inspect refuses %s with one line', async (_label, make, pattern) => {
    expectOneLineError(await cli('inspect', make(), '--no-hash'), pattern);
  });
});

describe('latentloom CLI bad input', () => {
  it('a directory, a missing file, a non-checkpoint and an unknown family', async () => {
    const dir = tmp.file('somedir');
    mkdirSync(dir);
    expectOneLineError(await cli('inspect', dir), /is a directory/);
    expectOneLineError(await cli('inspect', tmp.file('nope.safetensors')), /cannot open \(ENOENT\)/);
    const text = tmp.file('notes.safetensors');
    writeFileSync(text, 'hello, this is not a model');
    expectOneLineError(await cli('inspect', text), /not a checkpoint/);
    const unknown = tmp.file('unknown.safetensors');
    const header = Buffer.from('{"foo.bar":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    writeFileSync(unknown, Buffer.concat([len, header, Buffer.from([0])]));
    expectOneLineError(await cli('inspect', unknown), /unknown model family \(1 tensors; top-level prefixes: foo\.bar \(1\)\)/);
  });
  it('convert refuses an output that is not .safetensors', async () => {
    expectOneLineError(await cli('convert', 'in.ckpt', tmp.file('out.ckpt')), /output must be a \.safetensors file/);
  });
  it('merge refuses a bad mode and a non-number ratio', async () => {
    expectOneLineError(
      await cli('merge', '--a', 'x', '--b', 'y', '--mode', 'sum', '--alpha', '1', '--out', tmp.file('o.safetensors')),
      /--mode must be weighted or add-difference/,
    );
    const r = await cli('merge', '--a', 'x', '--b', 'y', '--alpha', 'half', '--out', tmp.file('o.safetensors'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/"half" is not a number/);
  });
});
