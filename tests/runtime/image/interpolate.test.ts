/**
 * F.interpolate as ComfyUI calls it (size, align_corners False, no antialias), bit for bit. Expected values are tiny reference vectors from the golden harness's Python (torch 1.13 CPU), computed on
 * formula inputs by /work/ref/gen/image-nodes/unit_vectors.py (outside the repo) and inlined here.
 */
import { describe, expect, it } from 'vitest';
import { interpolate, type InterpolateMode } from '../../../server/runtime/image/interpolate';
import type { FloatTensor } from '../../../server/runtime/values';

/** ((i · mul) mod m) / div − off in float32: the formula the reference tensors were built from. */
function formula(shape: number[], mul = 37, mod = 101, div = 10, off = 5): FloatTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, (_, i) => Math.fround(Math.fround(((i * mul) % mod) / div) - off)) };
}
const image = (h: number, w: number, c: number): FloatTensor => ({
  shape: [1, h, w, c],
  data: Float32Array.from({ length: h * w * c }, (_, i) => Math.fround(((i * 53) % 256) / 255)),
});
const exact = (t: FloatTensor, ref: number[]) => expect(Array.from(t.data)).toEqual(ref.map(Math.fround));

const TORCH: Record<string, number[]> = {
  'nchw_nearest-exact': [
    -5.0, -1.2999999523162842, -1.2999999523162842, 2.4000000953674316, -4.0, -0.3000001907348633, -0.3000001907348633, 3.3999996185302734, -4.0,
    -0.3000001907348633, -0.3000001907348633, 3.3999996185302734, -3.0, 0.6999998092651367, 0.6999998092651367, 4.399999618530273, -2.0,
    1.6999998092651367, 1.6999998092651367, -4.699999809265137, -2.0, 1.6999998092651367, 1.6999998092651367, -4.699999809265137,
  ],
  'nchw_nearest-exact_down': [
    4.399999618530273, 1.6999998092651367, -1.0, -4.400000095367432, 3.0, 0.3000001907348633, 2.5999999046325684, -0.09999990463256836,
    -2.799999952316284, 3.8999996185302734, 1.1999998092651367, -1.5,
  ],
  nchw_bilinear: [
    -5.0, -2.6875, 0.08750006556510925, 2.4000000953674316, -4.5, -2.1875, 0.5874999165534973, 2.8999998569488525, -4.0, -1.6875, 1.087499737739563,
    3.3999996185302734, -3.0, -0.6875001192092896, 2.0874996185302734, 4.399999618530273, -2.5, -0.18750011920928955, 0.6937497854232788,
    -0.15000009536743164, -2.0, 0.31249988079071045, -0.7000000476837158, -4.699999809265137,
  ],
  nchw_bilinear_down: [
    1.7416664361953735, 0.2749996781349182, 0.491666316986084, -1.683333158493042, 1.8999998569488525, 0.4333327114582062, 0.7833333015441895,
    0.9999996423721313, -1.3083335161209106, 1.5666663646697998, 0.09999972581863403, 0.3166663348674774,
  ],
  nchw_bicubic: [
    -5.352382659912109, -3.126600980758667, 0.3529895544052124, 2.5787713527679443, -4.765576362609863, -2.539794921875, 0.9397948384284973,
    3.165576219558716, -4.178771495819092, -1.9529896974563599, 1.5266002416610718, 3.7523818016052246, -3.3523824214935303, -1.2229218482971191,
    2.6689226627349854, 5.518436908721924, -2.765576124191284, 0.01501452550292015, 1.1200191974639893, -0.24689961969852448, -2.1787710189819336,
    1.2529505491256714, -0.42888301610946655, -6.012233257293701,
  ],
  nchw_bicubic_down: [
    2.983058214187622, 0.8726566433906555, 0.5865938663482666, -2.3539857864379883, 2.604297161102295, 0.4960843324661255, 1.568091869354248,
    1.3609373569488525, -2.1997320652008057, 2.579347610473633, 0.8042961359024048, -0.4680919051170349,
  ],
  nchw_area: [
    -5.0, -3.1500000953674316, 0.5500000715255737, 2.4000000953674316, -4.5, -2.6500000953674316, 1.0499999523162842, 2.8999998569488525, -4.0,
    -2.1500000953674316, 1.549999713897705, 3.3999996185302734, -3.0, -1.1500000953674316, 2.549999713897705, 4.399999618530273, -2.5,
    -0.6500000953674316, 0.5249998569488525, -0.15000009536743164, -2.0, -0.15000009536743164, -1.5, -4.699999809265137,
  ],
  nchw_area_down: [
    -0.08888901025056839, -0.5444445013999939, 0.12222213298082352, 0.08888891339302063, 0.7555555701255798, 0.29999998211860657, 0.3555556535720825,
    -0.09999995678663254, -0.555555522441864, 0.5333333611488342, 0.0777776762843132, 0.7444444298744202,
  ],
  nhwc_bilinear: [
    0.3117647171020508, 0.5196078419685364, 0.22549019753932953, 0.5549019575119019, 0.2607843279838562, 0.4686274528503418, 0.3019607961177826,
    0.5098039507865906, 0.529411792755127, 0.545098066329956, 0.5647059082984924, 0.4588235318660736, 0.47843137383461, 0.49803921580314636,
    0.5176470875740051, 0.5333333611488342, 0.5529412031173706, 0.4470588266849518, 0.7823529243469238, 0.4882352948188782, 0.19411765038967133,
    0.5235294103622437, 0.2294117659330368, 0.4372549057006836,
  ],
  nhwc_bicubic: [
    0.3553078770637512, 0.5631510019302368, 0.12537531554698944, 0.5136105418205261, 0.18346352875232697, 0.5349647402763367, 0.21342678368091583,
    0.47641700506210327, 0.6054917573928833, 0.5814721584320068, 0.6635799407958984, 0.4482307434082031, 0.43470436334609985, 0.46166515350341797,
    0.590739905834198, 0.5667203068733215, 0.6488281488418579, 0.43347886204719543, 0.8596737384796143, 0.5295266509056091, 0.09175091981887817,
    0.4799862205982208, 0.1498391330242157, 0.501340389251709,
  ],
};

describe('interpolate', () => {
  it('upscales and downscales a multi-channel NCHW latent like torch, every mode', () => {
    for (const mode of ['nearest-exact', 'bilinear', 'bicubic', 'area'] as InterpolateMode[]) {
      exact(interpolate(formula([1, 2, 2, 3]), 'nchw', 3, 4, mode), TORCH[`nchw_${mode}`]);
      exact(interpolate(formula([1, 2, 5, 7]), 'nchw', 2, 3, mode), TORCH[`nchw_${mode}_down`]);
    }
  });

  it('resizes an NHWC image like torch on its channels-last view (bilinear takes the channels-last kernel)', () => {
    exact(interpolate(image(3, 4, 3), 'nhwc', 4, 2, 'bilinear'), TORCH.nhwc_bilinear);
    exact(interpolate(image(3, 4, 3), 'nhwc', 4, 2, 'bicubic'), TORCH.nhwc_bicubic);
  });

  it('the same size is the identity for every mode, and an empty size is refused', () => {
    const x = formula([2, 4, 5, 6]);
    for (const mode of ['nearest-exact', 'bilinear', 'bicubic', 'area'] as InterpolateMode[])
      expect(interpolate(x, 'nchw', 5, 6, mode).data).toEqual(x.data);
    expect(() => interpolate(x, 'nchw', 0, 6, 'bilinear')).toThrow(/at least 1x1/);
  });

  it('the comparison is sharp: bicubic, bilinear and area all differ from each other on the same input', () => {
    const x = formula([1, 2, 5, 7]);
    const outs = (['bilinear', 'bicubic', 'area'] as InterpolateMode[]).map((m) => Array.from(interpolate(x, 'nchw', 2, 3, m).data));
    expect(outs[0]).not.toEqual(outs[1]);
    expect(outs[1]).not.toEqual(outs[2]);
    expect(outs[0]).not.toEqual(TORCH.nchw_bicubic_down.map(Math.fround));
  });
});
