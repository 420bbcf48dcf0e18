import { beforeAll, expect, it } from 'vitest';
import { recordedNoise } from '@/server/runtime/sampling/noise';
import { sample, type SamplerName } from '@/server/runtime/sampling/samplers';
import { maxAbsDiff } from '../../helpers/compare';
import { describeGolden, golden } from '../../helpers/golden';
import { readGoldenTensors, type GoldenTensor } from '../../helpers/read-golden';

const gaussianDenoiser = async (x: Float32Array, sigma: number): Promise<Float32Array> => Float32Array.from(x, (v) => v / (1 + sigma * sigma));

const CASES: [SamplerName, string, string][] = [
  ...(['euler', 'euler_ancestral', 'heun', 'dpm_2', 'dpmpp_2m', 'lms', 'dpmpp_2s_ancestral'] as const).flatMap((s) =>
    (['normal', 'karras'] as const).map((sch): [SamplerName, string, string] => [s, sch, `${s}.${sch}`]),
  ),
  ['ddim', 'ddim_uniform', 'ddim.ddim_uniform'],
];

describeGolden('samplers vs k-diffusion on D(x,σ)=x/(1+σ²)', () => {
  let g: Map<string, GoldenTensor>;
  beforeAll(async () => {
    g = await readGoldenTensors(golden('samplers', 'sampler_cases.safetensors'));
  });

  it.each(CASES)('%s on %s', async (name, schedule, key) => {
    const sigmas = g.get(`sigmas10.${schedule}`)!.data;
    const xInit = g.get(`${key}.x_init`)!.data as Float32Array;
    const noises = g.get(`${key}.noises`);
    const draws: Float32Array[] = [];
    if (noises) {
      const per = xInit.length;
      for (let k = 0; k < noises.shape[0]; k++) draws.push(noises.data.slice(k * per, (k + 1) * per) as Float32Array);
    }
    const traj: Float32Array[] = [];
    let nfe = 0;
    const model = async (x: Float32Array, s: number) => {
      nfe++;
      return gaussianDenoiser(x, s);
    };
    const out = await sample(name, model, xInit, sigmas, {
      shape: [1, 4, 8, 8],
      noise: noises ? recordedNoise(draws) : undefined,
      callback: ({ x }) => traj.push(x),
    });
    const expectedNfe = ['heun', 'dpm_2', 'dpmpp_2s_ancestral'].includes(name) ? 19 : 10;
    expect(nfe).toBe(expectedNfe);
    const ref = g.get(`${key}.traj`)!;
    expect(traj.length).toBe(ref.shape[0]);
    const per = xInit.length;
    traj.forEach((x, i) => expect(maxAbsDiff(x, ref.data.subarray(i * per, (i + 1) * per)), `traj[${i}]`).toBeLessThan(1e-5));
    expect(maxAbsDiff(out, g.get(`${key}.out`)!.data)).toBeLessThan(1e-5);
  });
});
