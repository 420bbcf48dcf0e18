/**
 * Small ComfyUI workflows over formula-built inputs, for nodes the shared comfy-nodes goldens do not cover. The same
 * formulas built the PNGs and .latent files that ComfyUI's own nodes ran on (make_test_goldens.py, through
 * ../shared/golden-src/comfy_run.py); the tests rebuild the inputs, run each node as the scheduler calls it, and
 * compare with the harness's summaries (shape, exact sums, a few exact values) inlined in the test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { expect } from 'vitest';
import type { NodeOutputs } from '../../nodes/node';
import { REGISTRY } from '../../nodes/registry';
import type { ParamValue } from '../../nodes/types';
import { resolvePaths } from '../../server/config/paths';
import { ModelCache } from '../../server/runtime/model-cache';
import type { FloatTensor, LatentValue } from '../../server/runtime/values';
import { callNode } from './nodes';

const f = Math.fround;

/** The PNG formulas of make_test_goldens.py: RGB, alpha (with a transparent block) and grey bytes at (x, y). */
export const rgbAt = (x: number, y: number, k: number): [number, number, number] => [
  (x * 7 + y * 13 + k * 31) % 256,
  (x * x + 3 * y + 40 + k * 17) % 256,
  (x * y * 3 + 11 + k * 5) % 256,
];
export const alphaAt = (x: number, y: number) => (y >= 2 && y < 5 && x >= 3 && x < 6 ? 0 : (x * 29 + y * 47) % 256);
export const grayAt = (x: number, y: number) => (x * x * 5 + y * 17) % 256;

/** The .latent formula: ((i · mul) mod m) / div − off in float32, over the flat index. */
export function formulaLatent(shape: number[], mul: number, mod: number, div: number, off: number): FloatTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = f(f(((i * mul) % mod) / div) - off);
  return { shape, data };
}

function png(w: number, h: number, channels: 1 | 3 | 4, at: (x: number, y: number) => number[]): Buffer {
  const p = new PNG({ width: w, height: h, colorType: channels === 1 ? 0 : channels === 3 ? 2 : 6, inputColorType: 6 });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = at(x, y);
      const rgba = channels === 1 ? [v[0], v[0], v[0], 255] : channels === 3 ? [...v, 255] : v;
      p.data.set(rgba, (y * w + x) * 4);
    }
  }
  return PNG.sync.write(p, { colorType: channels === 1 ? 0 : channels === 3 ? 2 : 6, inputColorType: 6 });
}

/** Writes the case inputs into `dir` (the same pixels as the harness's PNGs). */
export function writeFormulaInputs(dir: string): void {
  fs.writeFileSync(
    path.join(dir, 'f_rgb_24x20.png'),
    png(24, 20, 3, (x, y) => rgbAt(x, y, 0)),
  );
  fs.writeFileSync(
    path.join(dir, 'f_rgb_13x9.png'),
    png(13, 9, 3, (x, y) => rgbAt(x, y, 1)),
  );
  fs.writeFileSync(
    path.join(dir, 'f_rgba_18x14.png'),
    png(18, 14, 4, (x, y) => [...rgbAt(x, y, 2), alphaAt(x, y)]),
  );
  fs.writeFileSync(
    path.join(dir, 'f_gray_16x12.png'),
    png(16, 12, 1, (x, y) => [grayAt(x, y)]),
  );
}

const LATENTS: Record<string, FloatTensor> = {
  'f_a.latent': formulaLatent([2, 4, 6, 7], 7919, 1000, 100, 5),
  'f_b.latent': formulaLatent([1, 4, 5, 9], 104729, 997, 80, 6),
};

export type ApiWorkflow = Record<string, { class_type: string; inputs: Record<string, ParamValue | [string, number]> }>;

/**
 * Runs the workflow node by node in id order (the cases list sources first) through callNode. Two classes come from
 * the formulas instead: LoadLatent (the file's tensor) and JoinImageWithAlpha (ComfyUI's: RGB plus 1 − mask).
 */
export async function runFormulaWorkflow(wf: ApiWorkflow): Promise<Map<string, NodeOutputs>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-formula-'));
  try {
    const paths = resolvePaths({ root });
    fs.mkdirSync(paths.input, { recursive: true });
    writeFormulaInputs(paths.input);
    const out = new Map<string, NodeOutputs>();
    const value = (link: [string, number]) => {
      const src = wf[link[0]];
      const o = out.get(link[0]);
      if (!o) throw new Error(`node ${link[0]} has not run`);
      if (src.class_type === 'JoinImageWithAlpha') return o.IMAGE;
      return o[REGISTRY.schemas[src.class_type].outputs[link[1]].name];
    };
    for (const id of Object.keys(wf).sort((a, b) => Number(a) - Number(b))) {
      const n = wf[id];
      const links = Object.entries(n.inputs).filter((e): e is [string, [string, number]] => Array.isArray(e[1]));
      const params = Object.fromEntries(Object.entries(n.inputs).filter((e): e is [string, ParamValue] => !Array.isArray(e[1])));
      if (n.class_type === 'LoadLatent') {
        out.set(id, { LATENT: { samples: LATENTS[String(params.latent)] } satisfies LatentValue });
        continue;
      }
      if (n.class_type === 'JoinImageWithAlpha') {
        const image = value(n.inputs.image as [string, number]) as FloatTensor;
        const mask = value(n.inputs.alpha as [string, number]) as FloatTensor;
        const [b, h, w] = image.shape;
        const data = new Float32Array(b * h * w * 4);
        for (let i = 0; i < b * h * w; i++) {
          data.set(image.data.subarray(i * 3, i * 3 + 3), i * 4);
          data[i * 4 + 3] = f(1 - mask.data[i]);
        }
        out.set(id, { IMAGE: { shape: [b, h, w, 4], data } });
        continue;
      }
      const inputs = Object.fromEntries(links.map(([name, l]) => [name, value(l)]));
      out.set(id, (await callNode(n.class_type, params, inputs, { paths, models: new ModelCache(1) })).outputs);
    }
    return out;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** The harness's summary of one tensor: shape, math.fsum of the values and of their squares, values at 5 indices. */
export interface Summary {
  shape: number[];
  sum: number;
  sumsq: number;
  at: Record<string, number>;
}

/** Neumaier-compensated sum: agrees with Python's math.fsum to well below the tolerance used. */
function accurateSum(values: Iterable<number>): number {
  let s = 0;
  let c = 0;
  for (const v of values) {
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

/** Our output for a golden key `<node>.<slot>[.samples]`. */
export function outputOf(wf: ApiWorkflow, outs: Map<string, NodeOutputs>, key: string): FloatTensor {
  const [node, slot, field] = key.split('.');
  const type = wf[node].class_type;
  const name = type === 'JoinImageWithAlpha' ? 'IMAGE' : REGISTRY.schemas[type].outputs[Number(slot)].name;
  const v = outs.get(node)?.[name];
  if (v === undefined) throw new Error(`${key}: no output`);
  return field === 'samples' ? (v as LatentValue).samples : (v as FloatTensor);
}

/**
 * Asserts a tensor matches a harness summary: same shape; the 5 sampled values exactly and the sums within 1e-12 of
 * the sum of squares (one value off by a single float32 ulp moves them more), or, with `tolerance`, both within that
 * fraction (for ComfyUI's bislerp, whose float32 trigonometry we follow to an ulp or two).
 */
export function expectSummary(key: string, t: FloatTensor, s: Summary, tolerance = 0): void {
  expect(t.shape, `${key} shape`).toEqual(s.shape);
  for (const [i, v] of Object.entries(s.at)) {
    if (tolerance === 0) expect(t.data[Number(i)], `${key}[${i}]`).toBe(Math.fround(v));
    else expect(Math.abs(t.data[Number(i)] - v), `${key}[${i}]`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(v)));
  }
  const rel = tolerance || 1e-12;
  const sum = accurateSum(t.data);
  const sumsq = accurateSum(Array.from(t.data, (v) => v * v));
  expect(Math.abs(sum - s.sum), `${key} sum ${sum} vs ${s.sum}`).toBeLessThanOrEqual(rel * Math.max(1, s.sumsq));
  expect(Math.abs(sumsq - s.sumsq), `${key} sum of squares ${sumsq} vs ${s.sumsq}`).toBeLessThanOrEqual(rel * Math.max(1, s.sumsq));
}
