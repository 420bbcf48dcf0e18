/**
 * Latent nodes against ComfyUI on formula-built inputs (no shared golden covers them). Expected values: ComfyUI's own
 * nodes via the golden harness — `python3 make_test_goldens.py` (kept outside the repo, under
 * /work/ref/gen/image-nodes/), which writes the inputs of tests/helpers/formula-case.ts, runs
 * `GOLDEN_REF_ROOT=/work/ref/golden python3 ../shared/golden-src/comfy_run.py cases/tg_latents/workflow_api.json
 * /work/ref/models cases/tg_latents cases/tg_latents/golden.safetensors` and summarises every output (shape, math.fsum of
 * the values and of their squares, five values). ComfyUI ran torch 1.13 CPU fp32, Pillow 9.4, scipy 1.10, kornia 0.7.1.
 */
import { describe, expect, it } from 'vitest';
import { expectSummary, outputOf, runFormulaWorkflow, type ApiWorkflow, type Summary } from '../../helpers/formula-case';

// cases/tg_latents/workflow_api.json
const WORKFLOW: ApiWorkflow = {
  '1': { class_type: 'LoadLatent', inputs: { latent: 'f_a.latent' } },
  '2': { class_type: 'LoadLatent', inputs: { latent: 'f_b.latent' } },
  '3': { class_type: 'LoadImage', inputs: { image: 'f_gray_16x12.png' } },
  '4': { class_type: 'LoadImageMask', inputs: { image: 'f_gray_16x12.png', channel: 'red' } },
  '10': { class_type: 'LatentUpscale', inputs: { samples: ['1', 0], upscale_method: 'bicubic', width: 0, height: 100, crop: 'disabled' } },
  '11': { class_type: 'LatentUpscale', inputs: { samples: ['1', 0], upscale_method: 'bislerp', width: 88, height: 72, crop: 'center' } },
  '12': { class_type: 'LatentUpscaleBy', inputs: { samples: ['2', 0], upscale_method: 'area', scale_by: 0.7 } },
  '13': { class_type: 'LatentUpscaleBy', inputs: { samples: ['2', 0], upscale_method: 'bilinear', scale_by: 1.9 } },
  '14': { class_type: 'LatentComposite', inputs: { samples_to: ['1', 0], samples_from: ['2', 0], x: 16, y: 8, feather: 16 } },
  '15': {
    class_type: 'LatentCompositeMasked',
    inputs: { destination: ['1', 0], source: ['2', 0], x: 8, y: 16, resize_source: false, mask: ['4', 0] },
  },
  '16': { class_type: 'LatentCompositeMasked', inputs: { destination: ['2', 0], source: ['1', 0], x: 0, y: 0, resize_source: true, mask: ['4', 0] } },
  '17': { class_type: 'LatentCrop', inputs: { samples: ['2', 0], width: 64, height: 64, x: 24, y: 0 } },
  '18': { class_type: 'LatentFlip', inputs: { samples: ['1', 0], flip_method: 'y-axis: horizontally' } },
  '19': { class_type: 'LatentRotate', inputs: { samples: ['1', 0], rotation: '270 degrees' } },
  '20': { class_type: 'LatentBlend', inputs: { samples1: ['1', 0], samples2: ['2', 0], blend_factor: 0.3 } },
  '21': { class_type: 'LatentAdd', inputs: { samples1: ['1', 0], samples2: ['2', 0] } },
  '22': { class_type: 'LatentSubtract', inputs: { samples1: ['2', 0], samples2: ['1', 0] } },
  '23': { class_type: 'LatentMultiply', inputs: { samples: ['1', 0], multiplier: -2.37 } },
  '24': { class_type: 'RepeatLatentBatch', inputs: { samples: ['1', 0], amount: 3 } },
  '25': { class_type: 'LatentFromBatch', inputs: { samples: ['24', 0], batch_index: 3, length: 2 } },
  '26': { class_type: 'LatentBatch', inputs: { samples1: ['25', 0], samples2: ['2', 0] } },
  '27': { class_type: 'RepeatLatentBatch', inputs: { samples: ['25', 0], amount: 2 } },
};

const EXPECTED: Record<string, Summary> = {
  '1.0.samples': {
    shape: [2, 4, 6, 7],
    sum: 3.200000047683716,
    sumsq: 2827.956007141122,
    at: { '0': -5.0, '83': -2.2300000190734863, '167': -0.26999998092651367, '251': 1.690000057220459, '335': 3.6499996185302734 },
  },
  '10.0.samples': {
    shape: [2, 4, 12, 14],
    sum: 12.084520300850272,
    sumsq: 8431.237493016517,
    at: { '0': -6.537173748016357, '335': -2.9134373664855957, '671': 0.10125003755092621, '1007': 2.0612499713897705, '1343': 4.021249771118164 },
  },
  '11.0.samples': {
    shape: [2, 4, 9, 11],
    sum: 10.933131946221692,
    sumsq: 6616.520062718778,
    at: { '0': -5.0, '197': -2.2300000190734863, '395': -0.26999998092651367, '593': 1.690000057220459, '791': 3.6499996185302734 },
  },
  '12.0.samples': {
    shape: [1, 4, 4, 6],
    sum: 8.934375882148743,
    sumsq: 307.4280391214798,
    at: { '0': -3.25, '23': 2.9875001907348633, '47': 2.8125, '71': 2.6374998092651367, '95': 2.4625000953674316 },
  },
  '13.0.samples': {
    shape: [1, 4, 10, 17],
    sum: 63.605899930000305,
    sumsq: 4877.209848266477,
    at: { '0': -6.0, '169': 5.737500190734863, '339': 5.5625, '509': 5.387499809265137, '679': 5.212499618530273 },
  },
  '14.0.samples': {
    shape: [2, 4, 6, 7],
    sum: 90.68875002861023,
    sumsq: 2840.0555925776994,
    at: { '0': -5.0, '83': 3.3625001907348633, '167': 3.0124998092651367, '251': 3.3625001907348633, '335': 3.0124998092651367 },
  },
  '15.0.samples': {
    shape: [2, 4, 6, 7],
    sum: -41.51018086820841,
    sumsq: 2455.385079656232,
    at: { '0': -5.0, '83': -1.9789254665374756, '167': -0.5052836537361145, '251': 1.115739345550537, '335': 2.5893807411193848 },
  },
  '16.0.samples': {
    shape: [1, 4, 5, 9],
    sum: 22.428941942751408,
    sumsq: 999.6399719865314,
    at: { '0': -5.922199726104736, '44': 4.6506781578063965, '89': 3.769820213317871, '134': 4.873799800872803, '179': 3.7448372840881348 },
  },
  '17.0.samples': {
    shape: [1, 4, 3, 8],
    sum: 89.92499899864197,
    sumsq: 1425.4828064382114,
    at: { '0': 4.449999809265137, '23': 5.737500190734863, '47': 5.5625, '71': 5.387499809265137, '95': 5.212499618530273 },
  },
  '18.0.samples': {
    shape: [2, 4, 6, 7],
    sum: 3.200000047683716,
    sumsq: 2827.956007141122,
    at: { '0': 0.1399998664855957, '83': 2.630000114440918, '167': 4.590000152587891, '251': -3.450000047683716, '335': -1.4900000095367432 },
  },
  '19.0.samples': {
    shape: [2, 4, 7, 6],
    sum: 3.200000047683716,
    sumsq: 2827.956007141122,
    at: { '0': 0.1399998664855957, '83': 2.630000114440918, '167': 4.590000152587891, '251': -3.450000047683716, '335': -1.4900000095367432 },
  },
  '2.0.samples': {
    shape: [1, 4, 5, 9],
    sum: 16.36250066757202,
    sumsq: 2305.1257777929363,
    at: { '0': -6.0, '44': 5.737500190734863, '89': 5.5625, '134': 5.387499809265137, '179': 5.212499618530273 },
  },
  '20.0.samples': {
    shape: [2, 4, 6, 7],
    sum: 25.045269053429365,
    sumsq: 1968.839225940172,
    at: { '0': -5.142279624938965, '83': 2.6670289039611816, '167': 3.0100295543670654, '251': 3.8430287837982178, '335': 4.186029434204102 },
  },
  '21.0.samples': {
    shape: [2, 4, 6, 7],
    sum: 37.066636726260185,
    sumsq: 5105.055510204085,
    at: { '0': -9.899999618530273, '83': 2.232499599456787, '167': 3.8425002098083496, '251': 6.152499675750732, '335': 7.762499809265137 },
  },
  '22.0.samples': {
    shape: [1, 4, 5, 9],
    sum: 41.88472267985344,
    sumsq: 3233.6458714447963,
    at: { '0': -5.329999923706055, '44': 8.27750015258789, '89': 2.122500419616699, '134': 5.967499732971191, '179': 9.8125 },
  },
  '23.0.samples': {
    shape: [2, 4, 6, 7],
    sum: -7.5839988719671965,
    sumsq: 15884.344564635656,
    at: { '0': 11.84999942779541, '83': 5.285099983215332, '167': 0.6398999094963074, '251': -4.005300045013428, '335': -8.650498390197754 },
  },
  '24.0.samples': {
    shape: [6, 4, 6, 7],
    sum: 9.600000143051147,
    sumsq: 8483.868021423366,
    at: { '0': -5.0, '251': 1.690000057220459, '503': -0.26999998092651367, '755': -2.2300000190734863, '1007': 3.6499996185302734 },
  },
  '25.0.samples': {
    shape: [2, 4, 6, 7],
    sum: 3.200000047683716,
    sumsq: 2827.956007141122,
    at: { '0': -1.0799999237060547, '83': 1.690000057220459, '167': 3.6499996185302734, '251': -2.2300000190734863, '335': -0.26999998092651367 },
  },
  '26.0.samples': {
    shape: [3, 4, 6, 7],
    sum: 20.133319199085236,
    sumsq: 4082.28885268867,
    at: { '0': -1.0799999237060547, '125': -2.3299999237060547, '251': -2.2300000190734863, '377': 4.637499809265137, '503': 4.112500190734863 },
  },
  '27.0.samples': {
    shape: [4, 4, 6, 7],
    sum: 6.400000095367432,
    sumsq: 5655.912014282244,
    at: { '0': -1.0799999237060547, '167': 3.6499996185302734, '335': -0.26999998092651367, '503': 3.6499996185302734, '671': -0.26999998092651367 },
  },
  '3.0': {
    shape: [1, 12, 16, 3],
    sum: 285.3647116078064,
    sumsq: 188.00351286608216,
    at: { '0': 0.0, '143': 0.529411792755127, '287': 0.729411780834198, '431': 0.929411768913269, '575': 0.125490203499794 },
  },
  '3.1': { shape: [1, 64, 64], sum: 0.0, sumsq: 0.0, at: { '0': 0.0, '1023': 0.0, '2047': 0.0, '3071': 0.0, '4095': 0.0 } },
  '4.0': {
    shape: [1, 12, 16],
    sum: 95.12157053593546,
    sumsq: 62.667837622027385,
    at: { '0': 0.0, '47': 0.529411792755127, '95': 0.729411780834198, '143': 0.929411768913269, '191': 0.125490203499794 },
  },
};

const BATCH_INDEX: Record<string, number[]> = { '25.0': [3, 4], '26.0': [3, 4, 0], '27.0': [3, 4, 5, 6] };

describe('latent nodes match ComfyUI on formula latents', () => {
  it('every output: upscale (bicubic, bislerp with centre crop, area, bilinear), composites, crop, flip, rotate, blend, add, subtract, multiply, batch nodes', async () => {
    const outs = await runFormulaWorkflow(WORKFLOW);
    // bislerp (node 11) follows torch's float32 acos/sin to an ulp or two; everything else is bit-exact
    for (const [key, s] of Object.entries(EXPECTED)) expectSummary(key, outputOf(WORKFLOW, outs, key), s, key === '11.0.samples' ? 1e-7 : 0);
    expect(Object.keys(EXPECTED)).toHaveLength(23);
  });

  it('batch indices (which noise each sample draws) follow ComfyUI through RepeatLatentBatch, LatentFromBatch and LatentBatch', async () => {
    const outs = await runFormulaWorkflow(WORKFLOW);
    for (const [key, bi] of Object.entries(BATCH_INDEX))
      expect((outs.get(key.split('.')[0])?.LATENT as { batch_index?: number[] } | undefined)?.batch_index, key).toEqual(bi);
    // a latent that never went through a batch node has none
    expect(outs.get('24')?.LATENT).toBeDefined();
    expect((outs.get('24')?.LATENT as { batch_index?: number[] } | undefined)?.batch_index).toBeUndefined();
  });
});
