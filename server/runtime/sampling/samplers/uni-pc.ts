/**
 * UniPC (Zhao et al. 2023) multistep predictor–corrector in data-prediction form, as ComfyUI's
 * `sample_unipc` runs it: VP-scaled state x/√(1+σ²), the final σ = 0 replaced by 0.001, order
 * min(3, steps − 1) with lower-order final steps, no corrector on the last step.
 * B(h) = h for bh1, eʰ − 1 for bh2.
 */
import { combine, solveLinear } from './ops';
import { checkCancelled, type Denoiser, type Sampler } from './types';

const alphaOf = (sigma: number): number => 1 / Math.sqrt(1 + sigma * sigma);
const lambdaOf = (sigma: number): number => -Math.log(sigma);

function makeUniPc(variant: 'bh1' | 'bh2'): Sampler {
  return async (model, xIn, sigmasIn, opts) => {
    const ts = Array.from(sigmasIn);
    if (ts[ts.length - 1] === 0) ts[ts.length - 1] = 0.001;
    const steps = ts.length - 1;
    const order = Math.min(3, ts.length - 2);
    if (order < 1) throw new Error('uni_pc needs at least 2 steps');
    // data prediction on the VP-scaled state
    const x0Of: Denoiser = (xv, sigma) =>
      model(
        Float32Array.from(xv, (v) => v / alphaOf(sigma)),
        sigma,
      );
    let x: Float32Array = Float32Array.from(xIn, (v) => v * alphaOf(ts[0]));

    const update = async (
      modelPrev: Float32Array[],
      tPrev: number[],
      t: number,
      stepOrder: number,
      useCorrector: boolean,
    ): Promise<{ x: Float32Array; modelT: Float32Array | null }> => {
      const m0 = modelPrev[modelPrev.length - 1];
      const tp0 = tPrev[tPrev.length - 1];
      const sigmaStdPrev = tp0 * alphaOf(tp0);
      const alphaT = alphaOf(t);
      const sigmaStdT = t * alphaT;
      const h = lambdaOf(t) - lambdaOf(tp0);
      const rks: number[] = [];
      const d1s: Float32Array[] = [];
      for (let i = 1; i < stepOrder; i++) {
        const ti = tPrev[tPrev.length - 1 - i];
        const mi = modelPrev[modelPrev.length - 1 - i];
        const rk = (lambdaOf(ti) - lambdaOf(tp0)) / h;
        rks.push(rk);
        d1s.push(
          combine([
            [mi, 1 / rk],
            [m0, -1 / rk],
          ]),
        );
      }
      rks.push(1);
      const hh = -h;
      const hPhi1 = Math.expm1(hh);
      let hPhiK = hPhi1 / hh - 1;
      let factorial = 1;
      const bH = variant === 'bh1' ? hh : Math.expm1(hh);
      const R: number[][] = [];
      const b: number[] = [];
      for (let i = 1; i <= stepOrder; i++) {
        R.push(rks.map((r) => r ** (i - 1)));
        b.push((hPhiK * factorial) / bH);
        factorial *= i + 1;
        hPhiK = hPhiK / hh - 1 / factorial;
      }
      const xT_ = combine([
        [x, sigmaStdT / sigmaStdPrev],
        [m0, -alphaT * hPhi1],
      ]);
      let predRes: Float32Array | null = null;
      if (d1s.length > 0) {
        const rhosP =
          stepOrder === 2
            ? [0.5]
            : solveLinear(
                R.slice(0, -1).map((r) => r.slice(0, -1)),
                b.slice(0, -1),
              );
        predRes = combine(d1s.map((d, k) => [d, rhosP[k]] as const));
      }
      const xT = predRes
        ? combine([
            [xT_, 1],
            [predRes, -alphaT * bH],
          ])
        : xT_;
      if (!useCorrector) return { x: xT, modelT: null };
      const rhosC = stepOrder === 1 ? [0.5] : solveLinear(R, b);
      const modelT = await x0Of(xT, t);
      const terms: [Float32Array, number][] = [[xT_, 1]];
      d1s.forEach((d, k) => terms.push([d, -alphaT * bH * rhosC[k]]));
      const rc = rhosC[rhosC.length - 1];
      terms.push([modelT, -alphaT * bH * rc], [m0, alphaT * bH * rc]);
      return { x: combine(terms), modelT };
    };

    const modelPrev: Float32Array[] = [];
    const tPrev: number[] = [];
    for (let stepIndex = 0; stepIndex < steps; stepIndex++) {
      checkCancelled(opts.signal);
      const xAtStart = x;
      if (stepIndex === 0) {
        modelPrev.push(await x0Of(x, ts[0]));
        tPrev.push(ts[0]);
      } else if (stepIndex < order) {
        const t = ts[stepIndex];
        const r = await update(modelPrev, tPrev, t, stepIndex, true);
        x = r.x;
        modelPrev.push(r.modelT ?? (await x0Of(x, t)));
        tPrev.push(t);
      } else {
        const last = stepIndex === steps - 1 ? 1 : 0;
        for (let step = stepIndex; step <= stepIndex + last; step++) {
          const t = ts[step];
          const stepOrder = Math.min(order, steps + 1 - step);
          const r = await update(modelPrev, tPrev, t, stepOrder, step !== steps);
          x = r.x;
          for (let i = 0; i < order - 1; i++) {
            tPrev[i] = tPrev[i + 1];
            modelPrev[i] = modelPrev[i + 1];
          }
          tPrev[order - 1] = t;
          if (step < steps) modelPrev[order - 1] = r.modelT ?? (await x0Of(x, t));
        }
      }
      opts.callback?.({
        i: stepIndex,
        x: Float32Array.from(xAtStart, (v) => v / alphaOf(ts[stepIndex])),
        sigma: ts[stepIndex],
        sigmaHat: ts[stepIndex],
        denoised: modelPrev[modelPrev.length - 1],
      });
    }
    const aEnd = alphaOf(ts[ts.length - 1]);
    return Float32Array.from(x, (v) => v / aEnd);
  };
}

export const uniPc = makeUniPc('bh1');
export const uniPcBh2 = makeUniPc('bh2');
