/** Upscale models at run time: one ONNX session per (architecture, config, weights), wrapped in spandrel's pad/crop. */
import ort from 'onnxruntime-node';
import type { WeightProvider } from '../../checkpoint/weights';
import type { FloatType, Graph } from '../../onnx/builder';
import type { ModelCache } from '../../model-cache';
import type { UpscaleModelHandle } from '../../handles';
import { numel } from '../../io/tensor';
import { sessionFor, type F32Tensor, type RuntimeOptions } from '../index';
import { buildCompact } from './compact';
import { buildRRDBNet } from './rrdb';
import { buildSwinIR } from './swinir';
import { cropTo, padToRequirements, pixelUnshuffle, reflectPadTo } from './pixels';
import type { UpscaleSpec } from './spec';

export type { UpscaleSpec } from './spec';

/** The graph of a spec, over weights under the builder's names (throws on missing or unused weights). */
export function buildUpscaleGraph(spec: UpscaleSpec, weights: WeightProvider, float: FloatType = 'float32'): Graph {
  const c = spec.config;
  switch (c.arch) {
    case 'ESRGAN':
      return buildRRDBNet(weights, c.net, float);
    case 'Compact':
      return buildCompact(weights, c.net, float);
    case 'SwinIR':
      return buildSwinIR(weights, c.net, float);
  }
}

export interface UpscaleRunner {
  readonly spec: UpscaleSpec;
  /**
   * one tile as ComfyUI hands it to the model: [1, inChannels, h, w] → [1, outChannels, h·scale, w·scale], clamped to
   * [0, 1] per tile as spandrel's descriptor call does (tiled_scale then blends clamped tiles)
   */
  run(tile: F32Tensor): Promise<F32Tensor>;
}

export async function createUpscaler(spec: UpscaleSpec, weights: WeightProvider, opts: RuntimeOptions = {}): Promise<UpscaleRunner> {
  // ComfyUI runs upscale models in the dtype they load in, fp32; LOOM_PRECISION does not apply to them
  const session = await sessionFor(`upscale_${spec.arch}`, spec.config, (float) => buildUpscaleGraph(spec, weights, float), weights, {
    ...opts,
    precision: opts.precision ?? 'float32',
  });
  return {
    spec,
    async run(tile) {
      const [n, c, h, w] = tile.shape;
      if (n !== 1 || c !== spec.inChannels) throw new Error(`upscale model takes [1, ${spec.inChannels}, h, w], got [${tile.shape.join(', ')}]`);
      let x = spec.sizeReq ? padToRequirements(tile, spec.sizeReq.minimum, spec.sizeReq.multipleOf) : tile;
      x = spec.padMultiple > 1 ? reflectPadTo(x, spec.padMultiple) : x;
      if (spec.unshuffle > 1) x = pixelUnshuffle(x, spec.unshuffle);
      const out = (await session.run({ x: new ort.Tensor('float32', x.data, x.shape) }, ['y'])).y;
      const y: F32Tensor = { data: out.data as Float32Array, shape: [...out.dims] };
      if (y.shape[1] !== spec.outChannels) throw new Error(`upscale model gave ${y.shape[1]} channels, expected ${spec.outChannels}`);
      const d = y.data;
      for (let i = 0; i < d.length; i++) d[i] = Math.min(1, Math.max(0, d[i]));
      return cropTo(y, h * spec.scale, w * spec.scale);
    },
  };
}

/** The runner of a loaded model, kept in the engine's ModelCache under the handle's key. */
export function upscalerFor(models: ModelCache, handle: UpscaleModelHandle, opts: RuntimeOptions = {}): Promise<UpscaleRunner> {
  return models.get(`upscale|${handle.key}`, async () => {
    let bytes = 0;
    for (const name of handle.weights.names()) bytes += numel(handle.weights.info(name).shape) * 4;
    return { value: await createUpscaler(handle.spec, handle.weights, opts), bytes };
  });
}
