/**
 * Mask nodes against ComfyUI on formula-built inputs (no shared golden covers them). Expected values: ComfyUI's own
 * nodes via the golden harness — `python3 make_test_goldens.py` (kept outside the repo, under
 * /work/ref/gen/image-nodes/), which writes the inputs of tests/helpers/formula-case.ts, runs
 * `GOLDEN_REF_ROOT=/work/ref/golden python3 ../shared/golden-src/comfy_run.py cases/tg_masks/workflow_api.json
 * /work/ref/models cases/tg_masks cases/tg_masks/golden.safetensors` and summarises every output (shape, math.fsum of
 * the values and of their squares, five values). ComfyUI ran torch 1.13 CPU fp32, Pillow 9.4, scipy 1.10, kornia 0.7.1.
 */
import { describe, expect, it } from 'vitest';
import { expectSummary, outputOf, runFormulaWorkflow, type ApiWorkflow, type Summary } from '../../helpers/formula-case';

// cases/tg_masks/workflow_api.json
const WORKFLOW: ApiWorkflow = {
  '1': { class_type: 'LoadImageMask', inputs: { image: 'f_rgba_18x14.png', channel: 'alpha' } },
  '2': { class_type: 'LoadImageMask', inputs: { image: 'f_rgba_18x14.png', channel: 'green' } },
  '3': { class_type: 'LoadImageMask', inputs: { image: 'f_gray_16x12.png', channel: 'red' } },
  '4': { class_type: 'LoadImageMask', inputs: { image: 'f_gray_16x12.png', channel: 'alpha' } },
  '5': { class_type: 'LoadImageMask', inputs: { image: 'f_rgb_13x9.png', channel: 'blue' } },
  '10': { class_type: 'CropMask', inputs: { mask: ['1', 0], x: 4, y: 3, width: 9, height: 50 } },
  '11': { class_type: 'GrowMask', inputs: { mask: ['1', 0], expand: 2, tapered_corners: true } },
  '12': { class_type: 'GrowMask', inputs: { mask: ['2', 0], expand: -1, tapered_corners: false } },
  '13': { class_type: 'FeatherMask', inputs: { mask: ['2', 0], left: 3, top: 2, right: 4, bottom: 5 } },
  '14': { class_type: 'MaskComposite', inputs: { destination: ['2', 0], source: ['3', 0], x: 5, y: 6, operation: 'multiply' } },
  '15': { class_type: 'MaskComposite', inputs: { destination: ['2', 0], source: ['3', 0], x: 5, y: 6, operation: 'subtract' } },
  '16': { class_type: 'MaskComposite', inputs: { destination: ['1', 0], source: ['5', 0], x: 2, y: 1, operation: 'xor' } },
  '17': { class_type: 'ThresholdMask', inputs: { mask: ['2', 0], value: 0.31 } },
  '18': { class_type: 'SolidMask', inputs: { value: 0.37, width: 4, height: 3 } },
  '19': { class_type: 'MaskToImage', inputs: { mask: ['3', 0] } },
  '20': { class_type: 'InvertMask', inputs: { mask: ['5', 0] } },
};

const EXPECTED: Record<string, Summary> = {
  '1.0': {
    shape: [1, 14, 18],
    sum: 130.18431198596954,
    sumsq: 89.45425510877841,
    at: { '0': 1.0, '62': 0.541176438331604, '125': 0.9725490212440491, '188': 0.2549019455909729, '251': 0.686274528503418 },
  },
  '10.0': {
    shape: [1, 11, 9],
    sum: 50.294116854667664,
    sumsq: 34.34025324424937,
    at: { '0': 1.0, '24': 0.9490196108818054, '49': 0.6235294342041016, '73': 0.4117646813392639, '98': 0.2509803771972656 },
  },
  '11.0': {
    shape: [1, 14, 18],
    sum: 237.27058893442154,
    sumsq: 224.78539147884834,
    at: { '0': 1.0, '62': 0.9098039269447327, '125': 0.9725490212440491, '188': 0.9607843160629272, '251': 0.9843137264251709 },
  },
  '12.0': {
    shape: [1, 14, 18],
    sum: 93.7254926096648,
    sumsq: 46.080586773196835,
    at: { '0': 0.29019609093666077, '62': 0.5058823823928833, '125': 0.3490196168422699, '188': 0.5882353186607361, '251': 0.4313725531101227 },
  },
  '13.0': {
    shape: [1, 14, 18],
    sum: 96.09248614427634,
    sumsq: 54.12365217951553,
    at: { '0': 0.002418300835415721, '62': 0.5764706134796143, '125': 0.2450980395078659, '188': 0.658823549747467, '251': 0.11450981348752975 },
  },
  '14.0': {
    shape: [1, 14, 18],
    sum: 93.50182470679283,
    sumsq: 48.39608219131025,
    at: { '0': 0.29019609093666077, '62': 0.5764706134796143, '125': 0.39984622597694397, '188': 0.2919492721557617, '251': 0.1594156175851822 },
  },
  '15.0': {
    shape: [1, 14, 18],
    sum: 89.34510013181716,
    sumsq: 47.53330450702427,
    at: { '0': 0.29019609093666077, '62': 0.5764706134796143, '125': 0.0, '188': 0.21568629145622253, '251': 0.29411765933036804 },
  },
  '16.0': {
    shape: [1, 14, 18],
    sum: 132.79999911785126,
    sumsq: 110.2310799082295,
    at: { '0': 1.0, '62': 1.0, '125': 0.9725490212440491, '188': 0.2549019455909729, '251': 0.686274528503418 },
  },
  '17.0': { shape: [1, 14, 18], sum: 208.0, sumsq: 208.0, at: { '0': 0.0, '62': 1.0, '125': 1.0, '188': 1.0, '251': 1.0 } },
  '18.0': {
    shape: [1, 3, 4],
    sum: 4.440000057220459,
    sumsq: 1.64280004234314,
    at: { '0': 0.3700000047683716, '2': 0.3700000047683716, '5': 0.3700000047683716, '8': 0.3700000047683716, '11': 0.3700000047683716 },
  },
  '19.0': {
    shape: [1, 12, 16, 3],
    sum: 285.3647116078064,
    sumsq: 188.00351286608216,
    at: { '0': 0.0, '143': 0.529411792755127, '287': 0.729411780834198, '431': 0.929411768913269, '575': 0.125490203499794 },
  },
  '2.0': {
    shape: [1, 14, 18],
    sum: 124.14117912529036,
    sumsq: 74.44383216847143,
    at: { '0': 0.29019609093666077, '62': 0.5764706134796143, '125': 0.4901960790157318, '188': 0.658823549747467, '251': 0.572549045085907 },
  },
  '20.0': {
    shape: [1, 9, 13],
    sum: 80.63921594619751,
    sumsq: 62.54476047452441,
    at: { '0': 0.9372549057006836, '29': 0.8666666746139526, '58': 0.6549019813537598, '87': 0.3019607663154602, '116': 0.8117647171020508 },
  },
  '3.0': {
    shape: [1, 12, 16],
    sum: 95.12157053593546,
    sumsq: 62.667837622027385,
    at: { '0': 0.0, '47': 0.529411792755127, '95': 0.729411780834198, '143': 0.929411768913269, '191': 0.125490203499794 },
  },
  '4.0': { shape: [1, 12, 16], sum: 0.0, sumsq: 0.0, at: { '0': 0.0, '47': 0.0, '95': 0.0, '143': 0.0, '191': 0.0 } },
  '5.0': {
    shape: [1, 9, 13],
    sum: 36.360785219818354,
    sumsq: 18.266329122953866,
    at: { '0': 0.062745101749897, '29': 0.13333334028720856, '58': 0.3450980484485626, '87': 0.6980392336845398, '116': 0.1882352977991104 },
  },
};

describe('mask nodes match ComfyUI on formula inputs', () => {
  it('every output: LoadImageMask (RGBA, grey, RGB; each channel), crop, grow, shrink, feather, composite, threshold, solid, to image, invert', async () => {
    const outs = await runFormulaWorkflow(WORKFLOW);
    for (const [key, s] of Object.entries(EXPECTED)) expectSummary(key, outputOf(WORKFLOW, outs, key), s);
    expect(Object.keys(EXPECTED)).toHaveLength(16);
  });
});
