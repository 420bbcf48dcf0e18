/**
 * The conditioning nodes and SetLatentNoiseMask on small inline conditionings: what each keeps and changes, and their
 * refusals (ComfyUI's numbers on real prompts are checked in goldens.test.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePaths } from '../../../server/config/paths';
import type { CondEntry, Conditioning } from '../../../server/runtime/handles';
import { ModelCache } from '../../../server/runtime/model-cache';
import { prepareConds } from '../../../server/runtime/sampling/conds';
import type { LatentValue } from '../../../server/runtime/values';
import { callNode } from '../../helpers/nodes';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-cond-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const o = { paths: resolvePaths({ root: dir }), models: new ModelCache(2 ** 20) };

const entry = (tokens: number[][], extra: Partial<CondEntry> = {}): CondEntry => ({
  family: 'sd1',
  cross: { shape: [1, tokens.length, tokens[0].length], data: new Float32Array(tokens.flat()) },
  ...extra,
});
const cond = (...entries: CondEntry[]): Conditioning => ({ kind: 'conditioning', entries });
const run = async (type: string, params: Record<string, string | number | boolean>, inputs: Record<string, unknown>) =>
  (await callNode(type, params, inputs, o)).outputs;
const out = async (type: string, params: Record<string, string | number | boolean>, inputs: Record<string, unknown>) =>
  (await run(type, params, inputs)).CONDITIONING as Conditioning;

describe('conditioning nodes', () => {
  it('ConditioningCombine lists both; ConditioningSetArea sets area in latent units (pixels // 8), strength, no bounds', async () => {
    const a = cond(entry([[1, 2]]));
    const b = cond(entry([[3, 4]]), entry([[5, 6]]));
    expect((await out('ConditioningCombine', {}, { conditioning_1: a, conditioning_2: b })).entries.map((e) => Array.from(e.cross.data))).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const set = await out('ConditioningSetArea', { width: 100, height: 64, x: 20, y: 8, strength: 0.5 }, { conditioning: b });
    expect(set.entries.map((e) => [e.area, e.strength, e.setAreaToBounds])).toEqual([
      [{ unit: 'latent', height: 8, width: 12, y: 1, x: 2 }, 0.5, false],
      [{ unit: 'latent', height: 8, width: 12, y: 1, x: 2 }, 0.5, false],
    ]);
    expect(b.entries[0].area).toBeUndefined();
  });

  it('ConditioningAverage mixes "from" cut or zero-padded to each "to" length, pooled too; options of "to" kept', async () => {
    const to = cond(
      entry(
        [
          [1, 1],
          [1, 1],
        ],
        { pooled: { shape: [1, 2], data: new Float32Array([2, 2]) }, strength: 0.7 },
      ),
      entry([[2, 2]]),
    );
    const from = cond(entry([[3, 3]], { pooled: { shape: [1, 2], data: new Float32Array([4, 4]) } }));
    const r = await out('ConditioningAverage', { conditioning_to_strength: 0.25 }, { conditioning_to: to, conditioning_from: from });
    expect(Array.from(r.entries[0].cross.data)).toEqual([2.5, 2.5, 0.25, 0.25]);
    expect(Array.from(r.entries[0].pooled?.data ?? [])).toEqual([3.5, 3.5]);
    expect(r.entries[0].strength).toBe(0.7);
    // "to" without pooled takes "from"'s pooled mixed with itself, as ComfyUI (pooled_output_to defaults to from's)
    expect(Array.from(r.entries[1].cross.data)).toEqual([2.75, 2.75]);
    expect(Array.from(r.entries[1].pooled?.data ?? [])).toEqual([4, 4]);
  });

  it('ConditioningConcat appends the first "from" entry\'s tokens; widths must match', async () => {
    const r = await out(
      'ConditioningConcat',
      {},
      {
        conditioning_to: cond(entry([[1, 2]], { strength: 2 })),
        conditioning_from: cond(
          entry([
            [3, 4],
            [5, 6],
          ]),
        ),
      },
    );
    expect(r.entries[0].cross.shape).toEqual([1, 3, 2]);
    expect(Array.from(r.entries[0].cross.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.entries[0].strength).toBe(2);
    await expect(
      run('ConditioningConcat', {}, { conditioning_to: cond(entry([[1, 2]])), conditioning_from: cond(entry([[1, 2, 3]])) }),
    ).rejects.toThrow('ConditioningConcat: text conditioning widths differ (2 vs 3)');
    await expect(
      run('ConditioningAverage', { conditioning_to_strength: 0.5 }, { conditioning_to: cond(entry([[1, 2]])), conditioning_from: cond() }),
    ).rejects.toThrow('conditioning_from has no entries');
  });

  it('ConditioningZeroOut zeros cross-attention and pooled; SetAreaStrength / SetAreaPercentage / SetMask / SetTimestepRange set their fields', async () => {
    const c = cond(entry([[1, 2]], { pooled: { shape: [1, 2], data: new Float32Array([3, 4]) } }));
    const z = await out('ConditioningZeroOut', {}, { conditioning: c });
    expect([Array.from(z.entries[0].cross.data), Array.from(z.entries[0].pooled?.data ?? [])]).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect((await out('ConditioningSetAreaStrength', { strength: 3 }, { conditioning: c })).entries[0].strength).toBe(3);
    const pct = await out('ConditioningSetAreaPercentage', { width: 0.5, height: 0.25, x: 0.1, y: 0.2, strength: 1 }, { conditioning: c });
    expect(pct.entries[0].area).toEqual({ unit: 'fraction', height: 0.25, width: 0.5, y: 0.2, x: 0.1 });
    const mask = { shape: [4, 4], data: new Float32Array(16).fill(1) };
    const m = await out('ConditioningSetMask', { strength: 0.9, set_cond_area: 'mask bounds' }, { conditioning: c, mask });
    expect([m.entries[0].mask?.shape, m.entries[0].maskStrength, m.entries[0].setAreaToBounds]).toEqual([[1, 4, 4], 0.9, true]);
    const t = await out('ConditioningSetTimestepRange', { start: 0.2, end: 0.6 }, { conditioning: c });
    expect([t.entries[0].startPercent, t.entries[0].endPercent]).toEqual([0.2, 0.6]);
    await expect(run('ConditioningSetTimestepRange', { start: 0.7, end: 0.3 }, { conditioning: c })).rejects.toThrow(
      'start (0.7) is after end (0.3)',
    );
  });

  it('SetLatentNoiseMask puts the mask as [B, 1, h, w] on a copy of the LATENT', async () => {
    const samples: LatentValue = { samples: { shape: [1, 4, 2, 2], data: new Float32Array(16) }, batch_index: [3] };
    const mask = { shape: [2, 16, 16], data: new Float32Array(512).fill(0.5) };
    const r = (await run('SetLatentNoiseMask', {}, { samples, mask })).LATENT as LatentValue;
    expect(r.noise_mask?.shape).toEqual([2, 1, 16, 16]);
    expect(r.batch_index).toEqual([3]);
    expect(samples.noise_mask).toBeUndefined();
  });
});

describe('errors name the node that set the area', () => {
  it('an area outside the latent: KSampler names the entry and its ConditioningSetArea node', async () => {
    const c = cond(entry([[1, 2]]));
    const set = (
      await callNode('ConditioningSetArea', { width: 64, height: 64, x: 128, y: 0, strength: 1 }, { conditioning: c }, { ...o, nodeId: '5' })
    ).outputs.CONDITIONING as Conditioning;
    expect(set.entries[0].origin).toBe('ConditioningSetArea #5');
    expect(() =>
      prepareConds([{ name: 'positive', entries: set.entries }], {
        latentShape: [1, 4, 8, 8],
        percentToSigma: () => 1,
        modelConds: (e) => ({ cross: e.cross }),
      }),
    ).toThrow('positive (ConditioningSetArea #5): its area (64x64 px at x 128, y 0) lies outside the 64x64 px latent being sampled');
  });
});
