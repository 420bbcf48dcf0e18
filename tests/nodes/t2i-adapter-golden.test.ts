/**
 * T2I-Adapters through ControlNetLoader + ControlNetApply(Advanced) + KSampler against ComfyUI's own classes: the
 * formula adapters of tests/helpers/t2i-files.ts on tiny-sd1 / tiny-sdxl, the workflows of
 * tests/fixtures/comfy-refs/t2i-adapter-cases.json, ComfyUI's latents inlined (t2i_adapter_refs.py, every 3rd value).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import type { LatentValue } from '../../server/runtime/values';
import { runComfyCase, type CaseRun } from '../helpers/comfy-case';
import { describeGolden, golden } from '../helpers/golden';
import { ADAPTERS, fullAdapterShapes, writeAdapter } from '../helpers/t2i-files';

const here = path.dirname(fileURLToPath(import.meta.url));
const CASES = JSON.parse(fs.readFileSync(path.join(here, '../fixtures/comfy-refs/t2i-adapter-cases.json'), 'utf8')) as Record<string, unknown>;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-t2i-golden-'));
const runs: CaseRun[] = [];
afterAll(async () => {
  await sessionCache.clear();
  for (const r of runs) r.root.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

let files: Promise<Record<string, string>> | undefined;
/** The adapter files the cases load, written once, plus the tiny ControlNet the chain starts with. */
function modelFiles(): Promise<Record<string, string>> {
  files ??= (async () => {
    const out: Record<string, string> = {
      'controlnet/tiny-controlnet-sd15.safetensors': golden('comfy-models', 'controlnet', 'tiny-controlnet-sd15.safetensors'),
    };
    const write = async (name: string, shapes: ReturnType<(typeof ADAPTERS)['full']>, diffusers = false) => {
      const file = path.join(dir, name);
      await writeAdapter(file, shapes, { diffusers });
      out[`controlnet/${name}`] = file;
    };
    await write('tiny-t2i-full.safetensors', ADAPTERS.full());
    await write('tiny-t2i-full-diffusers.safetensors', ADAPTERS.full(), true);
    await write('tiny-t2i-sketch.safetensors', ADAPTERS.sketch());
    await write('tiny-t2i-xl.safetensors', ADAPTERS.xl());
    return out;
  })();
  return files;
}

async function runCase(name: string): Promise<LatentValue> {
  const caseDir = fs.mkdtempSync(path.join(dir, `${name}-`));
  for (const png of ['hint_64.png', 'hint_48x80.png']) fs.copyFileSync(golden('comfy-models', 'controlnet', png), path.join(caseDir, png));
  fs.writeFileSync(path.join(caseDir, 'workflow_api.json'), JSON.stringify(CASES[name]));
  const r = await runComfyCase(caseDir, { models: await modelFiles() });
  runs.push(r);
  return r.bySlot('3.0') as LatentValue;
}

/** max |ours − ComfyUI| over max |ComfyUI| on the inlined values; also the largest absolute error. */
function compare(got: LatentValue, name: string): { rel: number; abs: number } {
  const ref = SAMPLING_REFS[name];
  expect(got.samples.shape).toEqual(ref.shape);
  let abs = 0;
  let m = 0;
  ref.values.forEach((v, i) => {
    abs = Math.max(abs, Math.abs(got.samples.data[i * 3] - v));
    m = Math.max(m, Math.abs(v));
  });
  return { rel: abs / m, abs };
}

describeGolden('T2I-Adapters in sampling vs ComfyUI (tiny-sd1, tiny-sdxl)', () => {
  it.each(['t2i-full', 't2i-diffusers-apply', 't2i-sketch-chain', 't2i-xl', 't2i-hint-batch'])('%s', async (name) => {
    const { rel, abs } = compare(await runCase(name), name);
    console.log(`[comfy] ${name}: latent max rel err ${rel.toExponential(2)} (max abs ${abs.toExponential(2)})`);
    expect(rel).toBeLessThanOrEqual(1e-5);
  });

  it('an adapter for another model is refused before sampling, naming both sides', async () => {
    const edited = async (name: string, adapter: string, ckpt?: string) => {
      const wf = structuredClone(CASES[name]) as Record<string, { inputs: Record<string, unknown> }>;
      wf['11'].inputs.control_net_name = adapter;
      if (ckpt) wf['4'].inputs.ckpt_name = ckpt;
      const caseName = `${name}-${adapter}`;
      CASES[caseName] = wf;
      return runCase(caseName);
    };
    await expect(edited('t2i-full', 'tiny-t2i-xl.safetensors')).rejects.toThrow(
      /tiny-t2i-xl\.safetensors is an SDXL T2I-Adapter \(64\/128\/256\/256 channels\) and does not fit the sd1 model \(32 channels × \[1, 2, 2\]\)/,
    );
    await expect(edited('t2i-xl', 'tiny-t2i-full.safetensors')).rejects.toThrow(
      /tiny-t2i-full\.safetensors is an SD1\.x\/SD2 T2I-Adapter \(32\/64\/128\/128 channels\) and does not fit the sdxl model/,
    );
    // a 64-wide SD1 adapter: its first feature does not fit tiny-sd1's 32-channel input block 2
    const wide = path.join(dir, 'tiny-t2i-wide.safetensors');
    await writeAdapter(wide, fullAdapterShapes({ cin: 192, c: 64, ksize: 1, useConv: false, xl: false }));
    (await modelFiles())['controlnet/tiny-t2i-wide.safetensors'] = wide;
    await expect(edited('t2i-full', 'tiny-t2i-wide.safetensors')).rejects.toThrow(
      /tiny-t2i-wide\.safetensors is an SD1\.x\/SD2 T2I-Adapter \(64\/128\/256\/256 channels\); its first feature \[64, 64, 64\] does not fit the sd1 model \(32 channels × \[1, 2, 2\]\), whose input block 2 gives \[32, 64, 64\]/,
    );
  });

  it('the adapter changes the result: t2i-full differs from the run without it far more than the error', () => {
    const full = SAMPLING_REFS['t2i-full'].values;
    const base = SAMPLING_REFS['no-adapter'].values;
    const m = Math.max(...base.map(Math.abs));
    const diff = Math.max(...full.map((v, i) => Math.abs(v - base[i]))) / m;
    expect(diff).toBeGreaterThan(1e-2);
  });
});

/** ComfyUI: KSampler latents of each case (t2i_adapter_refs.py), every 3rd value. */
const SAMPLING_REFS: Record<string, { shape: number[]; values: number[] }> = {
  't2i-full': {
    shape: [2, 4, 8, 8],
    values: [
      97.14301, -105.6921, 134.0415, 62.3937, 120.9896, 51.16368, 21.5203, 258.8561, 112.6415, 23.61494, 51.94363, -104.8318, -96.76273, -53.13677,
      -122.1302, 234.1419, -37.69336, 7.911536, -52.15507, -3.196206, -56.36758, 96.61362, 120.0795, -99.04642, -55.20666, -130.5931, -181.6714,
      -73.95876, -42.16805, -37.26892, -98.6627, -134.125, -171.1853, -13.60595, 42.25735, 64.47044, 172.6965, -119.1289, -71.85396, 56.06835,
      57.96951, 66.73928, 68.00528, -22.25227, -42.85981, 21.38958, -206.7497, 29.40575, -115.9737, 74.62152, 1.828964, 71.36002, -284.092, 90.40065,
      -60.14539, -61.94533, -65.7356, -28.42509, 136.1743, 25.39615, -104.1322, -114.323, -95.31892, -11.00631, 183.0261, -52.63182, 155.0229,
      262.6521, -28.05041, 15.79767, 132.8306, 59.67399, -72.71264, 118.7323, 92.4466, 163.8784, 68.11111, 92.12306, -197.1416, 155.4374, -73.48412,
      28.31484, -1.510877, -58.2151, 40.64276, 23.07773, -64.70716, 134.0634, -84.13103, 116.7199, -42.88401, 126.5754, 17.06051, 77.19525, 37.49104,
      37.43853, 82.68914, -137.7344, 84.28912, 81.91251, 9.254703, 100.4305, -51.88991, 129.8642, -74.31783, -95.82253, 105.3734, -53.31833,
      -10.44602, 15.78006, -95.53434, -80.42266, 38.89362, 2.699519, -153.3005, 100.9683, 26.30651, -56.44252, -92.50875, -91.41641, 68.68084,
      -48.29538, -21.61883, 130.4358, 118.8845, -12.0976, -0.249014, 139.3555, 76.51606, 40.77889, -46.54503, -316.246, 112.7506, -75.50516,
      -67.09118, -42.48151, -7.381771, 89.87722, -107.0311, -92.49046, -108.3399, -96.32107, 230.6053, -103.0313, -78.0185, 124.974, 124.6189,
      -113.8295, 20.29421, -57.93175, 9.841154, -7.235419, 85.00637, 39.43933, -69.59203, 12.20859, 4.667733, -15.21459, 84.85661, 206.6713, 62.16588,
      -83.14796, -118.4277, 4.523415, 34.54374, -21.17259, 3.560742, -74.03957, 16.267, 25.9737, 13.94887,
    ],
  },
  't2i-diffusers-apply': {
    shape: [1, 4, 8, 8],
    values: [
      30.28482, -183.4524, 42.25647, -82.14428, 357.9016, -114.7243, -127.0418, 231.0453, 29.5017, 306.8618, 138.2367, 6.200173, -204.5611, -189.1758,
      -35.83777, 470.7107, -130.1602, 155.5292, -109.5656, -141.9386, -85.58099, 115.3801, 75.9025, -89.65047, -45.22293, -167.608, -202.9403,
      -20.66587, -62.93011, 89.98419, -250.164, -185.8636, -201.3664, -172.6171, 132.7042, 18.0166, 269.169, 44.19194, -242.9271, 7.662685, -123.5971,
      108.8077, -54.51042, 209.1892, 46.97621, 98.75209, -146.7735, 130.1317, -76.06223, 178.0885, 253.4674, 313.9365, 81.38464, 243.2865, -423.5907,
      -202.8719, -325.7079, 1.984348, 71.25918, -35.14606, -208.3327, -54.23613, -239.4273, -214.5795, 193.1424, 89.48402, 285.693, 161.2539,
      258.0963, 25.63261, -188.6051, -208.1344, -208.6412, 85.58087, 42.82621, 228.7859, -190.2886, -67.99865, -263.3182, 152.5103, -117.6258,
      45.44201, 69.65006, 98.14854, 356.4823, 90.19309,
    ],
  },
  't2i-sketch-chain': {
    shape: [1, 4, 10, 6],
    values: [
      136.8695, -22.07045, 32.20112, 161.2874, -89.08463, 121.2113, -74.27168, 23.1842, 79.96767, 35.08725, -42.27579, -13.81678, 113.4792, -115.4129,
      -50.57208, 122.143, -145.582, -5.397376, -54.31097, 3.221765, 25.69918, 135.0776, 166.9855, 31.03432, 85.79842, 29.01224, -126.654, -13.33701,
      -12.32004, -98.73, -108.8006, -1.161074, -301.9987, 100.4299, 80.62762, 38.24299, 47.78442, -46.4356, -14.4932, 94.19434, -5.753196, -5.74473,
      59.903, 57.41131, 16.48321, 25.65833, -215.8193, 100.705, -175.7479, 11.66874, -91.57855, -94.1915, -256.9828, 41.37647, -77.95257, -142.1835,
      -163.3484, -60.76016, 94.57401, 14.75064, -95.10106, 8.956019, -74.54811, 50.43383, 219.5826, -53.463, 31.3863, 149.144, 1.781605, 62.26522,
      67.37868, 44.29556, -49.87499, 286.1571, 128.7435, 98.66009, -40.86278, 161.8958, -145.9355, 23.74189,
    ],
  },
  't2i-xl': {
    shape: [1, 4, 9, 7],
    values: [
      29.79342, -12.4055, 113.7677, -112.1307, 111.922, 26.17503, -135.1598, 51.83271, -150.8059, -217.1836, 142.2237, 26.00394, -144.5963, -258.6935,
      13.41175, -70.09013, 147.8807, 109.6811, 115.6412, -238.7163, 23.17823, 315.1316, 284.7533, 156.5835, 104.5484, 60.71128, -24.36287, -40.73687,
      293.7469, 183.3136, 274.7699, 137.033, 124.9689, -66.55163, 91.26954, 279.596, -254.0676, 17.67175, 222.2374, 46.56285, 4.097176, -0.3671857,
      -137.2723, 72.74825, 123.3625, 16.23937, 138.1915, -19.37174, -234.7274, -90.94398, -107.7258, -43.65346, -254.4329, 326.2362, -303.3632,
      68.77445, -96.13258, -142.6901, -120.6486, -254.8796, 279.1376, 57.48809, -104.1444, 12.60818, 84.86246, 180.8707, -37.36035, -381.0412,
      -249.1925, -40.10529, -190.5086, 92.3974, 68.05231, -124.0541, 61.54068, 53.22551, 152.3953, 72.07861, -45.80347, 44.4697, -269.2886, 14.57102,
      -127.8823, 42.73858,
    ],
  },
  't2i-hint-batch': {
    shape: [2, 4, 8, 8],
    values: [
      98.00875, -102.0453, 134.7693, 66.76697, 127.5878, 58.26511, 27.73348, 265.1653, 111.2517, 17.51127, 51.84521, -118.2582, -96.89239, -63.04234,
      -140.7079, 238.4329, -37.87113, 3.832594, -51.92862, -3.23223, -55.02339, 103.7465, 121.5942, -99.64062, -58.39685, -135.9261, -176.4566,
      -62.91809, -49.20485, -40.00623, -79.10265, -135.8215, -166.582, -20.0354, 46.75942, 71.35046, 161.7566, -115.9177, -74.7482, 65.91229,
      50.93542, 65.2266, 59.76234, -16.01908, -42.77039, 31.1409, -206.8246, 23.2924, -119.4643, 73.09679, 0.6879547, 63.39577, -299.2759, 91.89446,
      -57.11503, -63.91319, -63.22515, -32.85703, 156.4212, 19.38437, -100.9714, -117.2081, -106.7352, -4.955563, 176.2405, -45.34633, 150.7572,
      257.4883, -30.07304, 13.02147, 128.12, 70.15626, -69.0004, 115.1196, 103.2901, 164.3799, 64.9646, 93.03996, -197.4498, 158.4693, -72.82035,
      28.8215, 1.386875, -59.47851, 36.21887, 23.53458, -70.18192, 128.9935, -80.33128, 108.0874, -40.58205, 127.6562, 17.79261, 84.84046, 24.41451,
      34.77208, 86.13297, -150.4102, 88.9036, 81.54057, 28.18827, 102.5711, -60.96832, 136.2035, -77.58941, -101.6979, 108.9986, -45.96795, -22.39941,
      15.72137, -93.8573, -69.65332, 50.38004, -3.572724, -164.5761, 109.9912, 19.81028, -65.17992, -88.08241, -96.8167, 59.87531, -51.68153,
      -40.76068, 142.0848, 115.1323, -19.93933, 17.46978, 132.7658, 76.17113, 43.92051, -47.82108, -311.794, 111.1755, -70.47115, -59.29791,
      -59.47032, -12.05785, 93.6201, -117.1464, -92.97827, -118.7774, -96.04796, 241.8272, -102.9985, -64.51572, 130.4645, 125.7607, -119.4627,
      16.26653, -61.84222, 22.15758, -0.9073194, 82.58643, 51.13892, -76.82674, 14.57495, 5.088114, -26.98332, 79.64263, 209.3806, 57.26117,
      -71.58088, -111.5847, -6.245225, 25.24009, -26.71565, 10.92208, -79.31138, 11.67176, 33.6101, 10.67973,
    ],
  },
  'no-adapter': {
    shape: [2, 4, 8, 8],
    values: [
      97.97369, -101.9789, 134.8782, 66.65017, 127.5081, 58.32491, 27.65446, 265.0978, 111.2701, 17.44324, 51.7577, -118.1357, -97.05936, -62.95541,
      -140.6019, 238.4361, -37.81057, 3.984025, -52.12503, -3.145866, -54.91145, 103.7588, 121.522, -99.67668, -58.45916, -135.9504, -176.4531,
      -62.93766, -49.20924, -40.1846, -79.12305, -135.9348, -166.6455, -19.88027, 46.79898, 71.24187, 161.9469, -115.9081, -74.77566, 65.75646,
      50.88906, 65.31962, 59.72128, -16.03593, -42.88654, 31.14303, -206.7273, 23.23701, -119.4065, 73.07169, 0.5811842, 63.36734, -299.3049, 92.2172,
      -57.06611, -63.93547, -63.15182, -32.8268, 156.5198, 19.24641, -101.0315, -117.1037, -106.766, -5.01238, 176.2277, -45.40237, 150.7128,
      257.5889, -30.05872, 12.98847, 128.0274, 70.11309, -68.98482, 115.0807, 103.1164, 164.3039, 64.76955, 92.79661, -197.499, 158.4163, -72.73134,
      29.02641, 1.479652, -59.4482, 36.26315, 23.56864, -70.10899, 129.0587, -80.34039, 108.1346, -40.61433, 127.6529, 17.81827, 84.85514, 24.46646,
      34.70166, 86.05249, -150.3205, 88.79168, 81.55663, 28.18916, 102.6245, -60.85453, 136.1441, -77.61082, -101.6136, 108.9517, -45.91422,
      -22.36839, 15.6974, -93.85129, -69.65392, 50.3402, -3.577532, -164.5655, 109.9743, 19.86034, -65.16452, -88.04313, -96.94088, 59.87596,
      -51.87619, -40.85703, 142.0455, 115.0197, -20.0297, 17.54033, 132.9092, 76.19024, 43.89736, -47.94562, -311.8985, 111.1496, -70.46854,
      -59.42392, -59.57062, -12.10994, 93.52142, -117.2094, -93.07702, -118.8056, -96.14649, 241.9341, -102.8842, -64.59118, 130.5101, 125.6159,
      -119.4416, 16.31425, -61.75045, 22.1441, -0.9340358, 82.68484, 51.12507, -76.71696, 14.67522, 5.210689, -26.93837, 79.7003, 209.4113, 57.28543,
      -71.51408, -111.6165, -6.336216, 25.14416, -26.75487, 10.81454, -79.33323, 11.67549, 33.47036, 10.59339,
    ],
  },
};
