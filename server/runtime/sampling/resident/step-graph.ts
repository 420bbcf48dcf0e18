/**
 * The small ONNX graphs resident sampling runs beside the UNet, on the UNet's provider, so latents, noise and
 * conditioning never leave the device between steps:
 * - `start`: x → the UNet's first input [x·c_in; x·c_in] (uncond rows, then cond rows, as calc_cond_batch).
 * - `step`: the UNet output [uncond; cond] → denoised per row (a·x − b·out), CFG (u + (c − u)·cfg), the sampler's
 *   update (schedule.ts) with this step's noise taken from the noise stack, and the next UNet input.
 * - `upload`: an Identity whose output stays on the device (how a host tensor becomes a resident one in Node).
 * On CPU the same graphs run on host tensors: that is how they are tested here.
 */
import type ort from 'onnxruntime-node';
import { Graph, type Value } from '../../onnx/builder';
import { createSession, type LoomSession, type Provider } from '../../onnx/session';

/** k's layout: the step's scalars, fed as one small host tensor per step. */
export const K = { a: 0, b: 1, cfg: 2, alpha: 3, beta: 4, delta: 5, gamma: 6, cInNext: 7 } as const;
export const K_LENGTH = 8;

const LATENT: string[] = ['B', 'C', 'H', 'W'];

function scalarAt(g: Graph, k: Value, i: number): Value {
  return g.op('Gather', [k, g.constant([i], [])], { axis: 0 });
}

/** [v; v] along the batch axis, shaped like x with twice its rows. */
function twice(g: Graph, flat: Value, xShape: Value): Value {
  const both = g.op('Concat', [flat, flat], { axis: 0 });
  const rows = g.op('Mul', [g.op('Slice', [xShape, g.ints([0]), g.ints([1])]), g.ints([2])]);
  const shape = g.op('Concat', [rows, g.op('Slice', [xShape, g.ints([1]), g.ints([4])])], { axis: 0 });
  return g.op('Reshape', [both, shape]);
}

export function buildStartGraph(): Graph {
  const g = new Graph('resident_start');
  const x = g.input('x', 'float32', LATENT);
  const cIn = g.input('c_in', 'float32', [1]);
  const shape = g.op('Shape', [x]);
  const scaled = g.op('Mul', [g.op('Reshape', [x, g.ints([-1])]), cIn]);
  g.output(twice(g, scaled, shape), 'x_in', 'float32', ['B2', 'C', 'H', 'W']);
  return g;
}

export function buildStepGraph(): Graph {
  const g = new Graph('resident_step');
  const x = g.input('x', 'float32', LATENT);
  const out = g.input('out', 'float32', ['B2', 'C', 'H', 'W']);
  const prev = g.input('prev', 'float32', LATENT);
  const noiseStack = g.input('noise', 'float32', ['N', 'B', 'C', 'H', 'W']);
  const noiseIndex = g.input('noise_index', 'int64', []);
  const k = g.input('k', 'float32', [K_LENGTH]);
  const shape = g.op('Shape', [x]);
  const flat = (v: Value) => g.op('Reshape', [v, g.ints([-1])]);
  const xf = flat(x);
  const pair = g.op('Reshape', [out, g.ints([2, -1])]);
  const row = (i: number) => g.op('Gather', [pair, g.constant([i], [])], { axis: 0 });
  const s = (name: keyof typeof K) => scalarAt(g, k, K[name]);
  const a = s('a');
  const b = s('b');
  const toDenoised = (o: Value) => g.op('Sub', [g.op('Mul', [xf, a]), g.op('Mul', [o, b])]);
  const uncond = toDenoised(row(0));
  const cond = toDenoised(row(1));
  const denoised = g.op('Add', [uncond, g.op('Mul', [g.op('Sub', [cond, uncond]), s('cfg')])]);
  const noise = flat(g.op('Gather', [noiseStack, noiseIndex], { axis: 0 }));
  const terms = [
    g.op('Mul', [xf, s('alpha')]),
    g.op('Mul', [denoised, s('beta')]),
    g.op('Mul', [flat(prev), s('delta')]),
    g.op('Mul', [noise, s('gamma')]),
  ];
  const next = g.op('Add', [g.op('Add', [terms[0], terms[1]]), g.op('Add', [terms[2], terms[3]])]);
  g.output(g.op('Reshape', [next, shape]), 'x_next', 'float32', LATENT);
  g.output(g.op('Reshape', [denoised, shape]), 'denoised', 'float32', LATENT);
  g.output(twice(g, g.op('Mul', [next, s('cInNext')]), shape), 'x_in_next', 'float32', ['B2', 'C', 'H', 'W']);
  return g;
}

export interface StepSessions {
  readonly provider: Provider;
  start: LoomSession;
  step: LoomSession;
  /** a host tensor as a device-resident one (the same tensor on CPU) */
  upload(t: ort.Tensor): Promise<ort.Tensor>;
}

const cached = new Map<Provider, Promise<StepSessions>>();

/** The step graphs' sessions on a provider, made once per process (they hold no weights). */
export function stepSessions(provider: Provider): Promise<StepSessions> {
  let p = cached.get(provider);
  if (!p) {
    p = makeSessions(provider);
    p.catch(() => cached.delete(provider));
    cached.set(provider, p);
  }
  return p;
}

async function makeSessions(provider: Provider): Promise<StepSessions> {
  const opts = { device: provider, outputsOnDevice: true, log: () => {} } as const;
  const session = (g: Graph) => createSession(g.toModelProto(new Map()), '.', { label: g.name, ...opts });
  const [start, step] = await Promise.all([session(buildStartGraph()), session(buildStepGraph())]);
  const uploaders = new Map<number, Promise<LoomSession>>();
  return {
    provider,
    start,
    step,
    async upload(t) {
      if (provider === 'cpu') return t;
      // an Identity per rank (the graph's input rank is fixed)
      let u = uploaders.get(t.dims.length);
      if (!u) {
        const g = new Graph(`resident_upload_${t.dims.length}`);
        const dims = t.dims.map((_, i) => `D${i}`);
        g.output(g.op('Identity', [g.input('v', 'float32', dims)]), 'out', 'float32', dims);
        u = session(g);
        uploaders.set(t.dims.length, u);
      }
      return (await (await u).runOnDevice({ v: t }, ['out'])).out;
    },
  };
}
