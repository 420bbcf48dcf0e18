import { describe, expect, it } from 'vitest';
import { describeGolden, golden } from '../../helpers/golden';
import {
  encodeTokenWeights,
  encodeTokenWeightsSync,
  genEmptyTokens,
  tokenWeightBatch,
  type EncodedBatch,
} from '../../../server/runtime/text/encode-weights';
import { tokenizeWeighted } from '../../../server/runtime/text/prompt';
import { loadClipTokenizer } from '../../../server/runtime/text/tokenizer';

/** Fake "text encoder": h[row][j][d] = id_j + 100·d + posScale·j ; pooled[row] = [sum(ids), row]. */
function fakeEncoder(dim: number, posScale = 0, calls: Int32Array[][] = []) {
  return (rows: Int32Array[]): EncodedBatch => {
    calls.push(rows);
    const seqLen = rows[0].length;
    const hidden = new Float32Array(rows.length * seqLen * dim);
    const pooled = new Float32Array(rows.length * 2);
    rows.forEach((ids, r) => {
      expect(ids.length).toBe(seqLen);
      for (let j = 0; j < seqLen; j++) for (let d = 0; d < dim; d++) hidden[(r * seqLen + j) * dim + d] = ids[j] + 100 * d + posScale * j;
      pooled[r * 2] = ids.reduce((a, b) => a + b, 0);
      pooled[r * 2 + 1] = r;
    });
    return { hidden, seqLen, dim, pooled, pooledDim: 2 };
  };
}

const SPECIAL = { start: 1, end: 2, pad: 0 };

describe('encode_token_weights (ComfyUI math after the text encoder)', () => {
  it('empty-prompt row is [start, end, pad…] of the chunk length', () => {
    expect(Array.from(genEmptyTokens(SPECIAL, 5))).toEqual([1, 2, 0, 0, 0]);
    expect(Array.from(genEmptyTokens({ start: 49406, end: 49407, pad: 49407 }, 4))).toEqual([49406, 49407, 49407, 49407]);
    expect(Array.from(genEmptyTokens(SPECIAL, 0))).toEqual([1, 2]);
  });

  it('hand-computed example: z = (z − z_empty)·w + z_empty at weighted positions only', () => {
    const calls: Int32Array[][] = [];
    const r = encodeTokenWeightsSync([{ ids: [1, 10, 20, 2], weights: [1, 2, 0.5, 1] }], fakeEncoder(2, 0, calls), SPECIAL);
    // batch = the chunk + the empty prompt
    expect(calls[0].map((x) => Array.from(x))).toEqual([
      [1, 10, 20, 2],
      [1, 2, 0, 0],
    ]);
    // empty rows: [1,101] [2,102] [0,100] [0,100]; chunk rows: [1,101] [10,110] [20,120] [2,102]
    // j=1, w=2: (10-2)*2+2 = 18, (110-102)*2+102 = 118 ; j=2, w=.5: (20-0)*.5 = 10, (120-100)*.5+100 = 110
    expect(Array.from(r.cond)).toEqual([1, 101, 18, 118, 10, 110, 2, 102]);
    expect(r.tokens).toBe(4);
    expect(r.dim).toBe(2);
    expect(r.weighted).toBe(true);
    expect(Array.from(r.pooled!)).toEqual([33, 0]); // first chunk's pooled, not the empty row's
  });

  it('without weights the empty prompt is not encoded and the output is the raw encoding', () => {
    const calls: Int32Array[][] = [];
    const r = encodeTokenWeightsSync([{ ids: [1, 7, 2, 0], weights: [1, 1, 1, 1] }], fakeEncoder(3, 0.5, calls), SPECIAL);
    expect(calls[0]).toHaveLength(1);
    expect(r.weighted).toBe(false);
    expect(Array.from(r.cond)).toEqual([1, 101, 201, 7.5, 107.5, 207.5, 3, 103, 203, 1.5, 101.5, 201.5]);
  });

  it('several chunks are concatenated along the sequence axis; pooled comes from chunk 0', async () => {
    const chunks = [
      { ids: [1, 5, 6, 2], weights: [1, 1, 1, 1] },
      { ids: [1, 8, 2, 0], weights: [1, 3, 1, 1] },
    ];
    const r = await encodeTokenWeights(chunks, async (rows) => fakeEncoder(1, 0.25)(rows), SPECIAL);
    // empty row [1,2,0,0] → e_j = [1, 2.25, 0.5, 0.75]; chunk 1 j=1: (8.25 − 2.25)·3 + 2.25 = 20.25
    expect(Array.from(r.cond)).toEqual([1, 5.25, 6.5, 2.75, 1, 20.25, 2.5, 0.75]);
    expect(r.tokens).toBe(8);
    expect(Array.from(r.pooled!)).toEqual([14, 0]);
    expect(tokenWeightBatch(chunks, SPECIAL).batch).toHaveLength(3);
  });

  it('float32 arithmetic like torch: each step rounded to float32', () => {
    const w = 1.1;
    const r = encodeTokenWeightsSync(
      [{ ids: [1, 3, 2], weights: [1, w, 1] }],
      (rows) => {
        const hidden = new Float32Array([0, 0.1, 0, 0.3, 0.7, 0.2].map(Math.fround));
        expect(rows).toHaveLength(2);
        return { hidden, seqLen: 3, dim: 1 }; // rows: chunk [0, .1, 0], empty [.3, .7, .2]
      },
      SPECIAL,
    );
    const f = Math.fround;
    expect(r.cond[1]).toBe(f(f(f(f(0.1) - f(0.7)) * f(w)) + f(0.7)));
    expect(r.pooled).toBeNull();
  });

  it('no chunks: encodes [start, end] and returns it (ComfyUI sections == 0)', () => {
    const r = encodeTokenWeightsSync([], fakeEncoder(1), SPECIAL);
    expect(Array.from(r.cond)).toEqual([1, 2]);
    expect(r.tokens).toBe(2);
  });

  it('rejects an encoder output of the wrong size', () => {
    expect(() =>
      encodeTokenWeightsSync([{ ids: [1, 2], weights: [1, 2] }], () => ({ hidden: new Float32Array(2), seqLen: 2, dim: 1 }), SPECIAL),
    ).toThrow(/expected 2 rows/);
  });
});

describeGolden('tokenizeWeighted → encode_token_weights', () => {
  it('weights land on the right positions of the right chunk', () => {
    const tokenizer = loadClipTokenizer([golden('clip')]);
    const prompt = `${Array(80).fill('cat').join(' ')}, (dog:1.5)`;
    const { chunks } = tokenizeWeighted(prompt, { tokenizer });
    expect(chunks).toHaveLength(2);
    const special = { start: 49406, end: 49407, pad: 49407 };
    const r = encodeTokenWeightsSync(chunks, fakeEncoder(1), special);
    expect(r.tokens).toBe(154);
    // chunk 1 = BOS, 5 cats, ',', dog, EOS, pad… ; dog at sequence position 77 + 7
    expect(Array.from(chunks[1].ids.slice(0, 9))).toEqual([49406, 2368, 2368, 2368, 2368, 2368, 267, 1929, 49407]);
    // empty row at position 7 is the pad 49407: (1929 − 49407)·1.5 + 49407
    expect(r.cond[77 + 7]).toBe(Math.fround((1929 - 49407) * 1.5 + 49407));
    expect(r.cond[77 + 6]).toBe(267);
    expect(r.cond[5]).toBe(2368);
  });
});
