import { describe, expect, it } from 'vitest';
import { applyLoras } from '../../../server/runtime/checkpoint/lora/apply';
import { maxAbsDiff, memoryLora, memoryProvider } from './support/fixtures';
import { randT, rng } from './support/random';

type T = { shape: number[]; data: Float32Array };
const r = rng(42);
const at = (t: T, ...idx: number[]) => {
  let o = 0;
  for (let d = 0; d < idx.length; d++) o = o * t.shape[d] + idx[d];
  return t.data[o];
};

/** base weight [out, in, kh, kw] (or [out, in] with kh = kw = 1) */
function setup(shape: number[], tensors: Record<string, T>, strength = 0.7) {
  const W = randT(r, shape);
  const base = memoryProvider('b', {
    'input_blocks.0.0.weight': randT(r, [2, 2]),
    'out.2.weight': W,
    'out.2.bias': randT(r, [shape[0]]),
    'output_blocks.0.0.in_layers.2.weight': randT(r, [1]),
  });
  const file = memoryLora('t', new Map(Object.entries(tensors).map(([k, v]) => [`lora_unet_conv_out.${k}`, v])));
  const applied = applyLoras(base, 'unet', [{ file, strength }]);
  return { W, base, applied, strength };
}

/** W + s·k·delta, delta given per flat index */
function expectAdded(got: Float32Array, W: T, s: number, delta: (i: number) => number) {
  const want = W.data.map((w, i) => w + s * delta(i));
  expect(maxAbsDiff(got, want)).toBeLessThan(2e-6);
}

describe('adapter maths (ComfyUI weight_adapter semantics)', () => {
  it('LoCon with lora_mid (Tucker): delta[o,i,h,w] = Σ up[o,j]·mid[j,k,h,w]·down[k,i] · alpha/rank', async () => {
    const [o, i, k, rank] = [5, 3, 3, 2];
    const up = randT(r, [o, rank, 1, 1]);
    const down = randT(r, [rank, i, 1, 1]);
    const mid = randT(r, [rank, rank, k, k]);
    const alpha = { shape: [], data: Float32Array.of(3) };
    const { W, applied, strength } = setup([o, i, k, k], { 'lora_up.weight': up, 'lora_down.weight': down, 'lora_mid.weight': mid, alpha });
    const got = await applied.provider.float32('out.2.weight');
    expectAdded(got, W, strength * (3 / rank), (flat) => {
      const [oo, ii, hh, ww] = [Math.floor(flat / (i * k * k)), Math.floor(flat / (k * k)) % i, Math.floor(flat / k) % k, flat % k];
      let s = 0;
      for (let j = 0; j < rank; j++) for (let q = 0; q < rank; q++) s += at(up, oo, j, 0, 0) * at(mid, j, q, hh, ww) * at(down, q, ii, 0, 0);
      return s;
    });
  });

  it('LoHa: (w1a·w1b) ⊙ (w2a·w2b) · alpha/rank, and with hada_t1/t2 (CP) cores', async () => {
    const [o, i, rank] = [4, 6, 2];
    const t = { hada_w1_a: randT(r, [o, rank]), hada_w1_b: randT(r, [rank, i]), hada_w2_a: randT(r, [o, rank]), hada_w2_b: randT(r, [rank, i]) };
    const { W, applied, strength } = setup([o, i], t);
    const mm = (a: T, b: T, p: number, q: number) => a.data.slice(p * rank, p * rank + rank).reduce((s, v, j) => s + v * at(b, j, q), 0);
    expectAdded(await applied.provider.float32('out.2.weight'), W, strength, (f) => {
      const [p, q] = [Math.floor(f / i), f % i];
      return mm(t.hada_w1_a, t.hada_w1_b, p, q) * mm(t.hada_w2_a, t.hada_w2_b, p, q);
    });

    const k = 3;
    const c = {
      hada_w1_a: randT(r, [rank, o]),
      hada_w1_b: randT(r, [rank, i]),
      hada_t1: randT(r, [rank, rank, k, k]),
      hada_w2_a: randT(r, [rank, o]),
      hada_w2_b: randT(r, [rank, i]),
      hada_t2: randT(r, [rank, rank, k, k]),
      alpha: { shape: [], data: Float32Array.of(1) },
    };
    const cp = setup([o, i, k, k], c);
    // m[p,q,h,w] = Σ_a Σ_b t[a,b,h,w]·w_b[b,q]·w_a[a,p]
    const m = (tt: T, wa: T, wb: T, p: number, q: number, h: number, w: number) => {
      let s = 0;
      for (let a = 0; a < rank; a++) for (let b = 0; b < rank; b++) s += at(tt, a, b, h, w) * at(wb, b, q) * at(wa, a, p);
      return s;
    };
    expectAdded(await cp.applied.provider.float32('out.2.weight'), cp.W, cp.strength / rank, (f) => {
      const [p, q, h, w] = [Math.floor(f / (i * k * k)), Math.floor(f / (k * k)) % i, Math.floor(f / k) % k, f % k];
      return m(c.hada_t1, c.hada_w1_a, c.hada_w1_b, p, q, h, w) * m(c.hada_t2, c.hada_w2_a, c.hada_w2_b, p, q, h, w);
    });
  });

  it('LoKr: kron(w1_a·w1_b, w2) with alpha / w1_b rows, 4-D w2 lifts w1', async () => {
    const w1a = randT(r, [2, 1]);
    const w1b = randT(r, [1, 3]);
    const w2 = randT(r, [3, 2, 3, 3]);
    const alpha = { shape: [], data: Float32Array.of(0.5) };
    const { W, applied, strength } = setup([6, 6, 3, 3], { lokr_w1_a: w1a, lokr_w1_b: w1b, lokr_w2: w2, alpha });
    expectAdded(await applied.provider.float32('out.2.weight'), W, strength * 0.5, (f) => {
      const [p, q, h, w] = [Math.floor(f / 54), Math.floor(f / 9) % 6, Math.floor(f / 3) % 3, f % 3];
      const w1 = at(w1a, Math.floor(p / 3), 0) * at(w1b, 0, Math.floor(q / 2));
      return w1 * at(w2, p % 3, q % 2, h, w);
    });
  });

  it('LoKr with full w1 and w2 ignores alpha (no rank to divide by)', async () => {
    const w1 = randT(r, [2, 2]);
    const w2 = randT(r, [2, 3]);
    const { W, applied, strength } = setup([4, 6], { lokr_w1: w1, lokr_w2: w2, alpha: { shape: [], data: Float32Array.of(8) } });
    expectAdded(await applied.provider.float32('out.2.weight'), W, strength, (f) => {
      const [p, q] = [Math.floor(f / 6), f % 6];
      return at(w1, Math.floor(p / 2), Math.floor(q / 3)) * at(w2, p % 2, q % 3);
    });
  });

  it('full diffs: .diff on the weight and .diff_b on the bias, scaled by strength only', async () => {
    const diff = randT(r, [3, 4]);
    const diffB = randT(r, [3]);
    const { W, base, applied, strength } = setup([3, 4], { diff, diff_b: diffB, alpha: { shape: [], data: Float32Array.of(7) } });
    expectAdded(await applied.provider.float32('out.2.weight'), W, strength, (f) => diff.data[f]);
    const b0 = await base.float32('out.2.bias');
    expect(
      maxAbsDiff(
        await applied.provider.float32('out.2.bias'),
        b0.map((v, k) => v + strength * diffB.data[k]),
      ),
    ).toBeLessThan(1e-6);
    expect(applied.reports[0].patched).toBe(2);
  });

  it('DoRA: W + s·((W + αΔ)·dora/‖·‖ − W), norm over the output rows of W or the input columns of W + αΔ', async () => {
    const [o, i, rank] = [3, 4, 2];
    const up = randT(r, [o, rank]);
    const down = randT(r, [rank, i]);
    for (const axis of ['output', 'input'] as const) {
      const dora = axis === 'output' ? randT(r, [o, 1]) : randT(r, [1, i]);
      const { W, applied, strength } = setup([o, i], {
        'lora_up.weight': up,
        'lora_down.weight': down,
        dora_scale: dora,
        alpha: { shape: [], data: Float32Array.of(1) },
      });
      const delta = (p: number, q: number) => (at(up, p, 0) * at(down, 0, q) + at(up, p, 1) * at(down, 1, q)) / rank;
      const calc = (p: number, q: number) => at(W, p, q) + delta(p, q);
      const norm = (idx: number) => {
        let s = 0;
        if (axis === 'output') for (let q = 0; q < i; q++) s += at(W, idx, q) ** 2;
        else for (let p = 0; p < o; p++) s += calc(p, idx) ** 2;
        return Math.sqrt(s) + 1.1920928955078125e-7;
      };
      const got = await applied.provider.float32('out.2.weight');
      const want = W.data.map((w, f) => {
        const [p, q] = [Math.floor(f / i), f % i];
        const idx = axis === 'output' ? p : q;
        const scaled = calc(p, q) * (dora.data[idx] / norm(idx));
        return w + strength * (scaled - w);
      });
      expect(maxAbsDiff(got, want), axis).toBeLessThan(2e-6);
    }
  });
});

describe('OpenCLIP packed q/k/v', () => {
  it('a q_proj LoRA changes only the first third of in_proj_weight and keeps k/v rows bit-for-bit', async () => {
    const d = 4;
    const inProj = randT(r, [3 * d, d]);
    const base = memoryProvider('g', {
      'model.transformer.resblocks.0.attn.in_proj_weight': inProj,
      'model.transformer.resblocks.0.attn.in_proj_bias': randT(r, [3 * d]),
    });
    const up = randT(r, [d, 1]);
    const down = randT(r, [1, d]);
    const file = memoryLora(
      'q',
      new Map([
        ['lora_te2_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight', up],
        ['lora_te2_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight', down],
      ]),
    );
    const { provider, reports } = applyLoras(base, 'clip_g', [{ file, strength: 0.5 }]);
    expect(reports[0]).toMatchObject({ targeted: 1, patched: 1 });
    const got = await provider.float32('model.transformer.resblocks.0.attn.in_proj_weight');
    expect(got.subarray(d * d)).toEqual(inProj.data.subarray(d * d));
    expectAdded(
      got.subarray(0, d * d),
      { shape: [d, d], data: inProj.data.subarray(0, d * d) },
      0.5,
      (f) => up.data[Math.floor(f / d)] * down.data[f % d],
    );
  });
});
