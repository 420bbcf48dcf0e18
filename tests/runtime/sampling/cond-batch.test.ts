/**
 * The conditioning entries in the sampler (conds.ts prepareConds + cond-batch.ts condBatchPredictor) on a fake UNet
 * whose eps is the first value of each row's context: which entries run, in which batches, with what weights, and the
 * extras hook later conditioning (ControlNet, GLIGEN, concat) plugs into.
 */
import { describe, expect, it } from 'vitest';
import type { CondEntry } from '../../../server/runtime/handles';
import { modelCondPredictor } from '../../../server/runtime/sampling/cfg';
import { condBatchPredictor, type UNetCall } from '../../../server/runtime/sampling/cond-batch';
import { prepareConds, type CondExtras, type ExtrasCall, type PrepareCondsOptions } from '../../../server/runtime/sampling/conds';
import { ModelSamplingDiscrete } from '../../../server/runtime/sampling/model-sampling';

const ms = new ModelSamplingDiscrete('eps');
const SHAPE = [1, 4, 8, 8];
const N = 4 * 64;

/** A 1-token, 4-wide text conditioning whose "eps" is v everywhere. */
const entry = (v: number, extra: Partial<CondEntry> = {}): CondEntry => ({
  family: 'sd1',
  cross: { shape: [1, 1, 4], data: new Float32Array([v, 0, 0, 0]) },
  ...extra,
});

interface Call {
  rows: number;
  h: number;
  w: number;
  firsts: number[];
  extras?: unknown;
}
function fakeUnet(calls: Call[]): UNetCall {
  return async (x, _t, context, _y, extras) => {
    const [rows, c, h, w] = x.shape;
    const tokens = context.shape[1] * context.shape[2];
    const firsts = Array.from({ length: rows }, (_, r) => context.data[r * tokens]);
    calls.push({ rows, h, w, firsts, ...(extras ? { extras } : {}) });
    const out = new Float32Array(rows * c * h * w);
    for (let r = 0; r < rows; r++) out.fill(firsts[r], r * c * h * w, (r + 1) * c * h * w);
    return out;
  };
}

const options = (extra: Partial<PrepareCondsOptions> = {}): PrepareCondsOptions => ({
  latentShape: SHAPE,
  percentToSigma: (p) => ms.percentToSigma(p),
  modelConds: (e) => ({ cross: e.cross }),
  ...extra,
});

async function predict(pos: CondEntry[], neg: CondEntry[], sigma: number, o: Partial<PrepareCondsOptions> = {}) {
  const calls: Call[] = [];
  const lists = prepareConds(
    [
      { name: 'positive', entries: pos },
      { name: 'negative', entries: neg },
    ],
    options(o),
  );
  const p = condBatchPredictor({ modelSampling: ms, model: fakeUnet(calls), lists, shape: SHAPE });
  const x = Float32Array.from({ length: N }, (_, i) => Math.sin(i));
  const [cond, uncond] = await p(x, sigma, [true, true]);
  return { cond, uncond, calls, x };
}

describe('conditioning entries in the sampler', () => {
  it('one plain entry per side: one [uncond, cond] call, bit-identical to the plain predictor', async () => {
    const sigma = 3.5;
    const r = await predict([entry(0.5)], [entry(-0.25)], sigma);
    expect(r.calls.map((c) => c.firsts)).toEqual([[-0.25, 0.5]]);
    const plain = modelCondPredictor<number>({
      modelSampling: ms,
      shape: SHAPE,
      cond: 0.5,
      uncond: -0.25,
      model: async (xIn, _shape, _t, conds) => {
        const o = new Float32Array(xIn.length);
        conds.forEach((v, k) => o.fill(v, k * N, (k + 1) * N));
        return o;
      },
    });
    const [c, u] = await plain(r.x, sigma, [true, true]);
    expect(r.cond).toEqual(c);
    expect(r.uncond).toEqual(u);
  });

  it('combined entries are averaged; a 2-token and a 1-token context batch together (lcm padding)', async () => {
    const two: CondEntry = { family: 'sd1', cross: { shape: [1, 2, 4], data: new Float32Array([1, 0, 0, 0, 1, 0, 0, 0]) } };
    const sigma = 1;
    const r = await predict([entry(0), two], [entry(0)], sigma);
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0].rows).toBe(3);
    // denoised = x − σ·eps; the positive's eps is (0 + 1) / 2
    r.cond.forEach((v, i) => expect(v).toBeCloseTo(r.x[i] - 0.5, 5));
  });

  it('a timestep range: the entry is skipped outside it', async () => {
    const late = entry(2, { startPercent: 0.5, endPercent: 1 });
    const early = await predict([entry(0), late], [entry(0)], ms.percentToSigma(0.1));
    early.cond.forEach((v, i) => expect(v).toBeCloseTo(early.x[i], 5));
    const after = await predict([entry(0), late], [entry(0)], ms.percentToSigma(0.9));
    after.cond.forEach((v, i) => expect(v).toBeCloseTo(after.x[i] - ms.percentToSigma(0.9) * 1, 4));
  });

  it('an area runs on its crop, and the negative gets an entry of the same area (ComfyUI)', async () => {
    const area = entry(1, { area: { unit: 'latent', height: 4, width: 4, y: 0, x: 0 } });
    const r = await predict([entry(0), area], [entry(0)], 1);
    const crops = r.calls.map((c) => `${c.h}x${c.w}:${c.rows}`).sort();
    expect(crops).toEqual(['4x4:2', '8x8:2']);
    // far corner: only the full-frame entry applies; (0,0) corner: both, the area at full weight (no feathering at the edge)
    expect(r.cond[63]).toBeCloseTo(r.x[63], 5);
    expect(r.cond[0]).toBeCloseTo(r.x[0] - 0.5, 5);
  });

  it('the extras hook: asked once per model call with the batch, its inputs reach the UNet; different keys never batch', async () => {
    const seen: ExtrasCall[] = [];
    const hook = (key: string): CondExtras => ({
      key,
      stepInputs: (c) => {
        seen.push(c);
        return { control: { output: [{ shape: [1], data: new Float32Array([c.shape[0]]) }], middle: [] } };
      },
    });
    const hooks = new Map<unknown, CondExtras>([
      ['a', hook('A')],
      ['b', hook('B')],
    ]);
    const r = await predict([entry(1, { control: 'a' })], [entry(0, { control: 'b' })], 2, { extras: (e) => hooks.get(e.control) });
    expect(r.calls).toHaveLength(2);
    // the positive's pass first (ComfyUI's to_run order), each with its own hook
    expect(seen.map((c) => [c.lists, c.shape, c.areas])).toEqual([
      [[0], [1, 4, 8, 8], [[8, 8, 0, 0]]],
      [[1], [1, 4, 8, 8], [[8, 8, 0, 0]]],
    ]);
    expect(r.calls.every((c) => c.extras !== undefined)).toBe(true);
    const shared = await predict([entry(1, { control: 'a' })], [entry(0, { control: 'a' })], 2, { extras: (e) => hooks.get(e.control) });
    expect(shared.calls).toHaveLength(1);
  });

  it('bad conditioning is refused before sampling, naming the entry', async () => {
    await expect(predict([entry(0, { control: {} })], [entry(0)], 1)).rejects.toThrow(/positive carries a ControlNet/);
    await expect(
      predict([entry(0), entry(1, { area: { unit: 'latent', height: 4, width: 4, y: 8, x: 0 }, origin: 'ConditioningSetArea' })], [entry(0)], 1),
    ).rejects.toThrow(/positive entry 2 \(ConditioningSetArea\): its area \(32x32 px at x 0, y 64\) lies outside the 64x64 px latent/);
    // ComfyUI takes the first `batch` masks and repeats them: 2 masks cannot tile a batch of 3
    const mask2 = { shape: [2, 8, 8], data: new Float32Array(128) };
    await expect(predict([entry(0, { mask: mask2 })], [entry(0)], 1, { latentShape: [3, 4, 8, 8] })).rejects.toThrow(
      /a batch of 2 masks cannot be spread over a latent batch of 3/,
    );
  });
});
