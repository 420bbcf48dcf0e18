import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { runEnded, runStarted } from './activity';
import { Graph } from './builder';
import type { OptimizedModelStore, SessionOrigin } from './optimized-models';

export type DeviceChoice = 'auto' | 'cuda' | 'webgpu' | 'cpu';
export type Provider = 'cuda' | 'webgpu' | 'cpu';

const DEVICES: readonly DeviceChoice[] = ['auto', 'cuda', 'webgpu', 'cpu'];

export function deviceFromEnv(value = process.env.LOOM_DEVICE): DeviceChoice {
  const v = (value ?? 'auto').toLowerCase();
  if (!(DEVICES as readonly string[]).includes(v)) throw new Error(`LOOM_DEVICE=${value}: expected one of ${DEVICES.join(', ')}`);
  return v as DeviceChoice;
}

export interface SessionOptions {
  /** names the model in logs and errors, e.g. "unet" */
  label: string;
  device?: DeviceChoice;
  intraOpThreads?: number;
  log?: (line: string) => void;
  /** CPU only: keeps onnxruntime's fully optimised model on disk so later starts skip the optimisation */
  optimizedStore?: OptimizedModelStore;
  /** writes the weight files `model` points at; run once, before onnxruntime reads them (skipped on a reload) */
  prepare?: () => Promise<void>;
  /**
   * WebGPU: outputs stay in GPU buffers (onnxruntime's preferredOutputLocation 'gpu-buffer'), so `runOnDevice`
   * results feed the next session without a round trip; `run` still downloads. No effect on other providers.
   */
  outputsOnDevice?: boolean;
}

export interface LoomSession {
  readonly label: string;
  readonly provider: Provider;
  /** CPU sessions made through an OptimizedModelStore say whether they were reloaded or built */
  readonly origin?: SessionOrigin;
  /** outputs as host tensors */
  run(feeds: Record<string, ort.Tensor>, fetches?: readonly string[]): Promise<Record<string, ort.Tensor>>;
  /** outputs where the session keeps them (GPU buffers on WebGPU with `outputsOnDevice`); feeds may be such tensors */
  runOnDevice(feeds: Record<string, ort.Tensor>, fetches?: readonly string[]): Promise<Record<string, ort.Tensor>>;
  release(): Promise<void>;
}

const loggedChoice = new Set<string>();
const resolved = new Map<DeviceChoice, Promise<Provider>>();

/**
 * The concrete provider a device choice means on this machine, probed once per process with a one-node
 * graph (so graph building can specialise, e.g. the attention kernel, before the real session exists).
 */
export function resolveDevice(choice: DeviceChoice = deviceFromEnv(), log?: (line: string) => void): Promise<Provider> {
  if (choice !== 'auto') return Promise.resolve(choice);
  let p = resolved.get(choice);
  if (!p) {
    const g = new Graph('probe');
    g.output(g.op('Relu', [g.input('x', 'float32', [1])]), 'y', 'float32', [1]);
    p = createSession(g.toModelProto(new Map()), '.', { label: 'LOOM_DEVICE=auto', device: 'auto', ...(log ? { log } : {}) }).then(async (s) => {
      await s.release();
      return s.provider;
    });
    resolved.set(choice, p);
  }
  return p;
}

/**
 * Creates an onnxruntime session from graph bytes whose external data lives in `folder`.
 * `auto` tries CUDA, then WebGPU, then CPU, and logs one line naming the provider it chose
 * (with the reason each earlier one was refused). On CPU, `optimizedStore` reuses saved optimised models.
 */
export async function createSession(model: Uint8Array, folder: string, opts: SessionOptions): Promise<LoomSession> {
  // a build is users' work too: background saves wait for it
  runStarted();
  try {
    return await createSessionNow(model, folder, opts);
  } finally {
    runEnded();
  }
}

async function createSessionNow(model: Uint8Array, folder: string, opts: SessionOptions): Promise<LoomSession> {
  const device = opts.device ?? deviceFromEnv();
  const log = opts.log ?? ((line: string) => console.log(line));
  const order: Provider[] = device === 'auto' ? ['cuda', 'webgpu', 'cpu'] : [device];
  const refused: string[] = [];
  let prepared: Promise<void> | undefined;
  const prepare = () => (prepared ??= opts.prepare?.() ?? Promise.resolve());
  for (const provider of order) {
    if (device === 'auto' && provider === 'cuda' && !cudaInstalled()) {
      // asking onnxruntime anyway makes it print a native error at every start on machines without CUDA
      refused.push('cuda unavailable: its provider library is not installed (README: "GPU (CUDA)")');
      continue;
    }
    try {
      const base: ort.InferenceSession.SessionOptions = {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        // warnings are about constants its own fusions made dead; errors still reach us as exceptions
        logSeverityLevel: 3,
        ...(opts.intraOpThreads ? { intraOpNumThreads: opts.intraOpThreads } : {}),
        ...(opts.outputsOnDevice && provider === 'webgpu' ? { preferredOutputLocation: 'gpu-buffer' as const } : {}),
        extra: { session: { model_external_initializers_file_folder_path: folder } },
      };
      const made =
        provider === 'cpu' && opts.optimizedStore
          ? await opts.optimizedStore.create(model, base, opts.label, prepare)
          : { session: await prepare().then(() => createKeepingOutputsIfPossible(model, base, log, opts.label)), origin: undefined };
      const session = made.session;
      const line = `[loom] ${opts.label}: execution provider ${provider}${refused.length ? ` (fallback: ${refused.join('; ')})` : ''}`;
      if (!loggedChoice.has(line)) {
        loggedChoice.add(line);
        log(line);
      }
      return wrap(session, opts.label, provider, made.origin);
    } catch (e) {
      const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
      if (device !== 'auto' || provider === 'cpu') {
        throw new Error(`${opts.label}: onnxruntime could not create a session on ${provider}: ${reason}`);
      }
      refused.push(`${provider} unavailable: ${reason}`);
    }
  }
  throw new Error(`${opts.label}: no execution provider available (${refused.join('; ')})`);
}

/**
 * A session with GPU-buffer outputs where asked; an onnxruntime build that refuses them gets a plain session (outputs
 * on the host, which every caller also accepts) and one log line, rather than a model that cannot run at all.
 */
async function createKeepingOutputsIfPossible(
  model: Uint8Array,
  options: ort.InferenceSession.SessionOptions,
  log: (line: string) => void,
  label: string,
): Promise<ort.InferenceSession> {
  if (!options.preferredOutputLocation) return ort.InferenceSession.create(model, options);
  try {
    return await ort.InferenceSession.create(model, options);
  } catch (e) {
    const { preferredOutputLocation: _, ...plain } = options;
    const session = await ort.InferenceSession.create(model, plain);
    log(`[loom] ${label}: outputs stay on the host (GPU-buffer outputs refused: ${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
    return session;
  }
}

/** Whether onnxruntime-node's CUDA provider library was installed beside its binding (ONNXRUNTIME_NODE_INSTALL=cuda12). */
function cudaInstalled(): boolean {
  try {
    const dir = path.dirname(
      createRequire(import.meta.url).resolve(`onnxruntime-node/bin/napi-v6/${process.platform}/${process.arch}/onnxruntime_binding.node`),
    );
    return fs.existsSync(path.join(dir, 'libonnxruntime_providers_cuda.so')) || fs.existsSync(path.join(dir, 'onnxruntime_providers_cuda.dll'));
  } catch {
    return true; // unknown layout: let onnxruntime decide
  }
}

/** A device tensor's values in host memory; `release` lets go of the device buffer (the tensor is then a host one). */
export async function toHost(t: ort.Tensor, release = true): Promise<ort.Tensor> {
  if (t.location === 'cpu') return t;
  const data = await t.getData(release);
  return new ort.Tensor(t.type, data as Float32Array, t.dims);
}

/** Thrown by run() on a session the cache has evicted; holders fetch a fresh one from the cache and retry. */
export class SessionClosedError extends Error {}

function wrap(session: ort.InferenceSession, label: string, provider: Provider, origin?: SessionOrigin): LoomSession {
  // an evicted session is released only after the runs already on it finish
  let inflight = 0;
  let closing = false;
  let drained: (() => void) | undefined;
  const runOnDevice = async (feeds: Record<string, ort.Tensor>, fetches?: readonly string[]): Promise<Record<string, ort.Tensor>> => {
    if (closing) throw new SessionClosedError(`${label}: session was evicted from the session cache`);
    inflight++;
    runStarted();
    try {
      const out = fetches ? await session.run(feeds, [...fetches]) : await session.run(feeds);
      return out as Record<string, ort.Tensor>;
    } catch (e) {
      const shapes = Object.entries(feeds)
        .map(([k, t]) => `${k}[${t.dims.join(',')}]`)
        .join(' ');
      throw new Error(`${label}: inference failed on ${provider} with inputs ${shapes}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      runEnded();
      if (--inflight === 0) drained?.();
    }
  };
  return {
    label,
    provider,
    ...(origin ? { origin } : {}),
    runOnDevice,
    async run(feeds, fetches) {
      const out = await runOnDevice(feeds, fetches);
      for (const [k, t] of Object.entries(out)) if (t.location !== 'cpu') out[k] = await toHost(t);
      return out;
    },
    async release() {
      if (closing) return;
      closing = true;
      if (inflight > 0) await new Promise<void>((resolve) => (drained = resolve));
      await session.release();
    },
  };
}
