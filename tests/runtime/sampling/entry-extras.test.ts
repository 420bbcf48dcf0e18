/**
 * Per-entry model inputs ported onto CONDITIONING entries: inpainting's c_concat as a model cond (cropped to each pass's
 * area, batched per call) and GLIGEN's uncond fill (ComfyUI's apply_empty_x_to_equal_area for 'gligen').
 */
import { describe, expect, it } from 'vitest';
import type { CondEntry, CondGligen, GligenHandle } from '../../../server/runtime/handles';
import type { F32Tensor } from '../../../server/runtime/models';
import { condBatchPredictor, type UNetCall } from '../../../server/runtime/sampling/cond-batch';
import { fillGligenFromPositive, prepareConds, type CondExtras, type UNetExtraInputs } from '../../../server/runtime/sampling/conds';
import { ModelSamplingDiscrete } from '../../../server/runtime/sampling/model-sampling';

const ms = new ModelSamplingDiscrete('eps');
const SHAPE = [1, 4, 8, 8];
const entry = (v: number, extra: Partial<CondEntry> = {}): CondEntry => ({
  family: 'sd1',
  cross: { shape: [1, 1, 4], data: new Float32Array([v, 0, 0, 0]) },
  ...extra,
});
const gligen = (name: string): CondGligen => ({ model: { kind: 'gligen', key: name } as unknown as GligenHandle, boxes: [] });
const area = { unit: 'latent' as const, height: 4, width: 4, y: 4, x: 2 };

interface Call {
  rows: number;
  h: number;
  w: number;
  extras?: UNetExtraInputs;
}

async function run(pos: CondEntry[], neg: CondEntry[], concat?: F32Tensor, extras?: (e: CondEntry) => CondExtras | undefined) {
  const calls: Call[] = [];
  const model: UNetCall = async (x, _t, _c, _y, ex) => {
    calls.push({ rows: x.shape[0], h: x.shape[2], w: x.shape[3], ...(ex ? { extras: ex } : {}) });
    return new Float32Array(x.data.length);
  };
  const lists = prepareConds(
    [
      { name: 'positive', entries: pos },
      { name: 'negative', entries: neg },
    ],
    {
      latentShape: SHAPE,
      percentToSigma: (p) => ms.percentToSigma(p),
      modelConds: (e) => ({ cross: e.cross, ...(concat ? { concat } : {}) }),
      ...(extras ? { extras } : {}),
    },
  );
  await condBatchPredictor({ modelSampling: ms, model, lists, shape: SHAPE })(new Float32Array(4 * 64), 2, [true, true]);
  return calls;
}

describe('entry extras', () => {
  it("c_concat: each pass gets its crop of the entry's concat (CONDNoiseShape), batched with the pass", async () => {
    const concat = { shape: [1, 2, 8, 8], data: Float32Array.from({ length: 128 }, (_, i) => i) };
    const calls = await run([entry(1, { area })], [entry(0)], concat);
    // the area pass and the negative's opposite entry of the same area batch together; the full-frame negative alone
    const crop = calls.find((c) => c.h === 4);
    const full = calls.find((c) => c.h === 8);
    expect(full?.extras?.concat?.data).toEqual(concat.data);
    expect(crop?.rows).toBe(2);
    expect(crop?.extras?.concat?.shape).toEqual([2, 2, 4, 4]);
    // row 0 channel 1, its first row of the crop: latent row 4, columns 2..5
    const c = crop?.extras?.concat?.data ?? new Float32Array();
    expect(Array.from(c.subarray(16, 20))).toEqual([64 + 34, 64 + 35, 64 + 36, 64 + 37]);
    expect(Array.from(c.subarray(32, 64))).toEqual(Array.from(c.subarray(0, 32)));
  });

  it("the uncond takes the positive's GLIGEN (apply_empty_x_to_equal_area): in turn, never over its own or an area entry", () => {
    const a = gligen('a');
    const b = gligen('b');
    const filled = fillGligenFromPositive([entry(1, { gligen: a })], [entry(0), entry(2, { area })], 'negative');
    expect(filled.map((e) => e.gligen)).toEqual([a, undefined]);
    // an uncond with its own boxes keeps everything as it is
    const own = [entry(0, { gligen: b }), entry(2)];
    expect(fillGligenFromPositive([entry(1, { gligen: a })], own, 'negative')).toBe(own);
    // two boxes for one plain uncond entry: the last one wins (ComfyUI overwrites in place)
    expect(fillGligenFromPositive([entry(1, { gligen: a }), entry(1, { gligen: b })], [entry(0)], 'negative')[0].gligen).toBe(b);
    // a positive entry with an area gives nothing
    expect(fillGligenFromPositive([entry(1, { gligen: a, area })], [entry(0)], 'negative')[0].gligen).toBeUndefined();
    expect(() => fillGligenFromPositive([entry(1, { gligen: a })], [entry(0, { area })], 'negative')).toThrow(
      /negative: every entry has an area, so none can take the positive's GLIGEN boxes/,
    );
  });

  it('GLIGEN through the hook: the cond and the uncond that took its boxes share one model call', async () => {
    const a = gligen('a');
    const hook = (e: CondEntry): CondExtras | undefined =>
      e.gligen ? { key: e.gligen, stepInputs: () => ({ gligen: { model: e.gligen!.model, feeds: {} as never } }) } : undefined;
    const calls = await run([entry(1, { gligen: a })], [entry(0)], undefined, hook);
    expect(calls.map((c) => [c.rows, c.extras?.gligen?.model.key])).toEqual([[2, 'a']]);
  });
});
