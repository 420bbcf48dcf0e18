/**
 * Image nodes against ComfyUI on formula-built inputs (no shared golden covers them). Expected values: ComfyUI's own
 * nodes via the golden harness — `python3 make_test_goldens.py` (kept outside the repo, under
 * /work/ref/gen/image-nodes/), which writes the inputs of tests/helpers/formula-case.ts, runs
 * `GOLDEN_REF_ROOT=/work/ref/golden python3 ../shared/golden-src/comfy_run.py cases/tg_images/workflow_api.json
 * /work/ref/models cases/tg_images cases/tg_images/golden.safetensors` and summarises every output (shape, math.fsum of
 * the values and of their squares, five values). ComfyUI ran torch 1.13 CPU fp32, Pillow 9.4, scipy 1.10, kornia 0.7.1.
 */
import { describe, expect, it } from 'vitest';
import { expectSummary, outputOf, runFormulaWorkflow, type ApiWorkflow, type Summary } from '../../helpers/formula-case';

// cases/tg_images/workflow_api.json
const WORKFLOW: ApiWorkflow = {
  '1': { class_type: 'LoadImage', inputs: { image: 'f_rgb_24x20.png' } },
  '2': { class_type: 'LoadImage', inputs: { image: 'f_rgba_18x14.png' } },
  '3': { class_type: 'LoadImage', inputs: { image: 'f_rgb_13x9.png' } },
  '4': { class_type: 'JoinImageWithAlpha', inputs: { image: ['2', 0], alpha: ['2', 1] } },
  '10': { class_type: 'ImageBlur', inputs: { image: ['1', 0], blur_radius: 2, sigma: 1.5 } },
  '11': { class_type: 'ImageSharpen', inputs: { image: ['1', 0], sharpen_radius: 1, sigma: 1.0, alpha: 1.5 } },
  '12': { class_type: 'ImageCrop', inputs: { image: ['1', 0], width: 10, height: 30, x: 5, y: 4 } },
  '13': { class_type: 'EmptyImage', inputs: { width: 5, height: 3, batch_size: 2, color: 3965169 } },
  '14': {
    class_type: 'ImageCompositeMasked',
    inputs: { destination: ['1', 0], source: ['2', 0], x: 9, y: 11, resize_source: false, mask: ['2', 1] },
  },
  '15': { class_type: 'ImageCompositeMasked', inputs: { destination: ['3', 0], source: ['1', 0], x: 0, y: 0, resize_source: true } },
  '16': { class_type: 'ImageColorToMask', inputs: { image: ['1', 0], color: 1321998 } },
  '17': { class_type: 'ImageBatch', inputs: { image1: ['1', 0], image2: ['3', 0] } },
  '18': { class_type: 'RepeatImageBatch', inputs: { image: ['17', 0], amount: 2 } },
  '19': { class_type: 'ImageFromBatch', inputs: { image: ['18', 0], batch_index: 1, length: 2 } },
  '20': { class_type: 'ImageBlend', inputs: { image1: ['1', 0], image2: ['3', 0], blend_factor: 0.35, blend_mode: 'overlay' } },
  '21': { class_type: 'ImageBlend', inputs: { image1: ['1', 0], image2: ['2', 0], blend_factor: 0.8, blend_mode: 'soft_light' } },
  '22': { class_type: 'ImageInvert', inputs: { image: ['3', 0] } },
  '23': { class_type: 'ImageScale', inputs: { image: ['4', 0], upscale_method: 'lanczos', width: 31, height: 23, crop: 'disabled' } },
  '24': { class_type: 'ImageScale', inputs: { image: ['4', 0], upscale_method: 'bilinear', width: 10, height: 0, crop: 'center' } },
  '25': { class_type: 'ImageScaleBy', inputs: { image: ['1', 0], upscale_method: 'bicubic', scale_by: 1.63 } },
  '26': { class_type: 'ImageScale', inputs: { image: ['1', 0], upscale_method: 'area', width: 9, height: 13, crop: 'center' } },
  '27': { class_type: 'ImageScaleBy', inputs: { image: ['3', 0], upscale_method: 'nearest-exact', scale_by: 2.2 } },
  '28': { class_type: 'ImageScaleToTotalPixels', inputs: { image: ['1', 0], upscale_method: 'lanczos', megapixels: 0.001, resolution_steps: 4 } },
  '29': { class_type: 'ImageScale', inputs: { image: ['1', 0], upscale_method: 'bilinear', width: 37, height: 15, crop: 'disabled' } },
  '30': { class_type: 'ImageQuantize', inputs: { image: ['1', 0], colors: 6, dither: 'none' } },
  '31': { class_type: 'ImageQuantize', inputs: { image: ['1', 0], colors: 6, dither: 'floyd-steinberg' } },
  '32': { class_type: 'ImageQuantize', inputs: { image: ['1', 0], colors: 4, dither: 'bayer-4' } },
  '33': { class_type: 'Canny', inputs: { image: ['1', 0], low_threshold: 0.1, high_threshold: 0.4 } },
  '34': { class_type: 'ImageToMask', inputs: { image: ['4', 0], channel: 'alpha' } },
  '35': { class_type: 'ImagePadForOutpaint', inputs: { image: ['3', 0], left: 8, top: 0, right: 3, bottom: 5, feathering: 2 } },
  '36': { class_type: 'ImageScale', inputs: { image: ['4', 0], upscale_method: 'bicubic', width: 20, height: 20, crop: 'center' } },
};

const EXPECTED: Record<string, Summary> = {
  '1.0': {
    shape: [1, 20, 24, 3],
    sum: 662.4941314104944,
    sumsq: 418.0995151398967,
    at: { '0': 0.0, '359': 0.12156862765550613, '719': 0.47058823704719543, '1079': 0.8196078538894653, '1439': 0.16470588743686676 },
  },
  '1.1': { shape: [1, 64, 64], sum: 0.0, sumsq: 0.0, at: { '0': 0.0, '1023': 0.0, '2047': 0.0, '3071': 0.0, '4095': 0.0 } },
  '10.0': {
    shape: [1, 20, 24, 3],
    sum: 666.7071674577892,
    sumsq: 353.17306967706514,
    at: { '0': 0.08892999589443207, '359': 0.45846056938171387, '719': 0.48962029814720154, '1079': 0.5344411730766296, '1439': 0.5737712383270264 },
  },
  '11.0': {
    shape: [1, 20, 24, 3],
    sum: 670.6498225070536,
    sumsq: 473.39706686683877,
    at: { '0': 0.0, '359': 0.0, '719': 1.0, '1079': 1.0, '1439': 0.0 },
  },
  '12.0': {
    shape: [1, 16, 10, 3],
    sum: 259.8588287453167,
    sumsq: 179.05052530168228,
    at: { '0': 0.34117648005485535, '119': 0.1921568661928177, '239': 0.8509804010391235, '359': 0.5058823823928833, '479': 0.16078431904315948 },
  },
  '13.0': {
    shape: [2, 3, 5, 3],
    sum: 50.47058925032616,
    sumsq: 36.01614872752042,
    at: { '0': 0.23529411852359772, '22': 0.501960813999176, '44': 0.9450980424880981, '66': 0.23529411852359772, '89': 0.9450980424880981 },
  },
  '14.0': {
    shape: [1, 20, 24, 3],
    sum: 669.7552162590437,
    sumsq: 406.1802811463803,
    at: { '0': 0.0, '359': 0.12156862765550613, '719': 0.47058823704719543, '1079': 0.6098424196243286, '1439': 0.3833756446838379 },
  },
  '15.0': {
    shape: [1, 9, 13, 3],
    sum: 161.64088536426425,
    sumsq: 96.64983122103443,
    at: { '0': 0.04276856407523155, '87': 0.4213843047618866, '175': 0.7882353067398071, '262': 0.4556058347225189, '350': 0.6865004301071167 },
  },
  '16.0': { shape: [1, 20, 24], sum: 1.0, sumsq: 1.0, at: { '0': 0.0, '119': 0.0, '239': 0.0, '359': 0.0, '479': 0.0 } },
  '17.0': {
    shape: [2, 20, 24, 3],
    sum: 1270.3057819772512,
    sumsq: 729.3177749776353,
    at: { '0': 0.0, '719': 0.47058823704719543, '1439': 0.16470588743686676, '2159': 0.5512745380401611, '2879': 0.0941176488995552 },
  },
  '18.0': {
    shape: [4, 20, 24, 3],
    sum: 2540.6115639545023,
    sumsq: 1458.6355499552706,
    at: { '0': 0.0, '1439': 0.16470588743686676, '2879': 0.0941176488995552, '4319': 0.16470588743686676, '5759': 0.0941176488995552 },
  },
  '19.0': {
    shape: [2, 20, 24, 3],
    sum: 1270.3057819772512,
    sumsq: 729.3177749776353,
    at: { '0': 0.14901961386203766, '719': 0.5512745380401611, '1439': 0.0941176488995552, '2159': 0.47058823704719543, '2879': 0.16470588743686676 },
  },
  '2.0': {
    shape: [1, 14, 18, 3],
    sum: 367.7058898722753,
    sumsq: 236.64162317651335,
    at: { '0': 0.24313725531101227, '188': 0.364705890417099, '377': 0.27843138575553894, '566': 0.019607843831181526, '755': 0.6745098233222961 },
  },
  '2.1': {
    shape: [1, 14, 18],
    sum: 130.18431198596954,
    sumsq: 89.45425510877841,
    at: { '0': 1.0, '62': 0.541176438331604, '125': 0.9725490212440491, '188': 0.2549019455909729, '251': 0.686274528503418 },
  },
  '20.0': {
    shape: [1, 20, 24, 3],
    sum: 640.273530573817,
    sumsq: 401.868853375809,
    at: { '0': 0.0, '359': 0.10124897956848145, '719': 0.48699426651000977, '1079': 0.8640663027763367, '1439': 0.10816728323698044 },
  },
  '21.0': {
    shape: [1, 20, 24, 3],
    sum: 655.2494640350342,
    sumsq: 426.7370327280853,
    at: { '0': 0.0, '359': 0.14833950996398926, '719': 0.37407854199409485, '1079': 0.88950115442276, '1439': 0.18399904668331146 },
  },
  '22.0': {
    shape: [1, 9, 13, 3],
    sum: 202.6862719655037,
    sumsq: 133.5070647928525,
    at: { '0': 0.8784313797950745, '87': 0.6941176652908325, '175': 0.5882352590560913, '262': 0.38823527097702026, '350': 0.8117647171020508 },
  },
  '23.0': {
    shape: [1, 23, 31, 4],
    sum: 1343.8588515580632,
    sumsq: 865.0772477685199,
    at: { '0': 0.0, '712': 0.7490196228027344, '1425': 0.0, '2138': 0.5372549295425415, '2851': 0.3607843220233917 },
  },
  '24.0': {
    shape: [1, 8, 10, 4],
    sum: 154.87843506969512,
    sumsq: 94.87654717463543,
    at: { '0': 0.2732352912425995, '79': 0.27166664600372314, '159': 0.540294349193573, '239': 0.5579411387443542, '319': 0.19911758601665497 },
  },
  '25.0': {
    shape: [1, 33, 39, 3],
    sum: 1776.5703924520712,
    sumsq: 1107.492961944377,
    at: {
      '0': -0.007439447566866875,
      '965': 0.3354264199733734,
      '1930': 0.7867648601531982,
      '2895': 0.21298319101333618,
      '3860': 0.012524385005235672,
    },
  },
  '26.0': {
    shape: [1, 13, 9, 3],
    sum: 172.02908924594522,
    sumsq: 100.7002408242766,
    at: { '0': 0.1764705926179886, '87': 0.48823532462120056, '175': 0.7882353067398071, '262': 0.14313726127147675, '350': 0.5892156958580017 },
  },
  '27.0': {
    shape: [1, 20, 29, 3],
    sum: 736.282372392714,
    sumsq: 391.2485548086318,
    at: { '0': 0.12156862765550613, '434': 0.3450980484485626, '869': 0.6274510025978088, '1304': 0.9098039269447327, '1739': 0.1882352977991104 },
  },
  '28.0': {
    shape: [1, 28, 36, 3],
    sum: 1391.6706186616793,
    sumsq: 860.5713822888601,
    at: { '0': 0.0, '755': 0.08627451211214066, '1511': 0.5686274766921997, '2267': 0.7450980544090271, '3023': 0.0117647061124444 },
  },
  '29.0': {
    shape: [1, 15, 37, 3],
    sum: 766.3334880936891,
    sumsq: 457.9116327722267,
    at: { '0': 0.008496733382344246, '416': 0.7257108688354492, '832': 0.7882352471351624, '1248': 0.9116410613059998, '1664': 0.2869276702404022 },
  },
  '3.0': {
    shape: [1, 9, 13, 3],
    sum: 148.313729416579,
    sumsq: 79.13452145917704,
    at: { '0': 0.12156862765550613, '87': 0.30588236451148987, '175': 0.4117647111415863, '262': 0.6117647290229797, '350': 0.1882352977991104 },
  },
  '3.1': { shape: [1, 64, 64], sum: 0.0, sumsq: 0.0, at: { '0': 0.0, '1023': 0.0, '2047': 0.0, '3071': 0.0, '4095': 0.0 } },
  '30.0': {
    shape: [1, 20, 24, 3],
    sum: 647.0039382427931,
    sumsq: 358.3524672647614,
    at: { '0': 0.0, '359': 0.43529412150382996, '719': 0.41960784792900085, '1079': 0.41960784792900085, '1439': 0.43529412150382996 },
  },
  '31.0': {
    shape: [1, 20, 24, 3],
    sum: 659.1411928087473,
    sumsq: 368.55760340779835,
    at: { '0': 0.0, '359': 0.43529412150382996, '719': 0.41960784792900085, '1079': 0.572549045085907, '1439': 0.572549045085907 },
  },
  '32.0': {
    shape: [1, 20, 24, 3],
    sum: 622.0706013441086,
    sumsq: 323.747679603882,
    at: { '0': 0.0, '359': 0.43529412150382996, '719': 0.3019607961177826, '1079': 0.49803921580314636, '1439': 0.43529412150382996 },
  },
  '33.0': { shape: [1, 20, 24, 3], sum: 321.0, sumsq: 321.0, at: { '0': 0.0, '359': 0.0, '719': 0.0, '1079': 0.0, '1439': 0.0 } },
  '34.0': {
    shape: [1, 14, 18],
    sum: 121.81568801403046,
    sumsq: 81.08563113683932,
    at: { '0': 0.0, '62': 0.458823561668396, '125': 0.027450978755950928, '188': 0.7450980544090271, '251': 0.31372547149658203 },
  },
  '35.0': {
    shape: [1, 14, 24, 3],
    sum: 476.813729416579,
    sumsq: 243.38452145917705,
    at: { '0': 0.5, '251': 0.16862745583057404, '503': 0.5, '755': 0.5, '1007': 0.5 },
  },
  '35.1': { shape: [1, 14, 24], sum: 235.0, sumsq: 229.75, at: { '0': 1.0, '83': 0.0, '167': 1.0, '251': 1.0, '335': 1.0 } },
  '36.0': {
    shape: [1, 20, 20, 4],
    sum: 806.5415372154675,
    sumsq: 529.5370862338863,
    at: { '0': 0.2916643023490906, '399': 0.09743119776248932, '799': 0.8634372353553772, '1199': 0.47569921612739563, '1599': -0.059332475066185 },
  },
  '4.0': {
    shape: [1, 14, 18, 4],
    sum: 489.52157788630575,
    sumsq: 317.72725431335266,
    at: { '0': 0.24313725531101227, '251': 0.458823561668396, '503': 0.027450978755950928, '755': 0.7450980544090271, '1007': 0.31372547149658203 },
  },
};

describe('image nodes match ComfyUI on formula inputs', () => {
  it('every output of the workflow: ImageBlur/Sharpen, crop, EmptyImage, composites, colour mask, batches, blends, invert, every scale method on RGB and RGBA, quantize, Canny, pad for outpaint', async () => {
    const outs = await runFormulaWorkflow(WORKFLOW);
    for (const [key, s] of Object.entries(EXPECTED)) expectSummary(key, outputOf(WORKFLOW, outs, key), s);
    expect(Object.keys(EXPECTED)).toHaveLength(35);
  });
});
