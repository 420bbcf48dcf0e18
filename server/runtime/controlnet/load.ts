/**
 * ControlNetLoader / DiffControlNetLoader (comfy/controlnet.py load_controlnet): a ControlNet file in the ldm layout
 * (`control_model.*` or unprefixed) or the diffusers layout → a handle with cldm-named weights by reference. A diff
 * ControlNet (a `difference` key) stores control − base: the model's UNet weights are added back in the file's dtype,
 * as ComfyUI's `cd += model_sd[k].type(cd.dtype)`. T2I-Adapter files (load_t2i_adapter) load here too, as a handle
 * carrying the adapter's config (controlnet/t2i-config.ts).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelCache } from '../model-cache';
import { fileIdentity } from '../checkpoint/hash';
import { stateDictProvider } from '../checkpoint/provider';
import type { WeightProvider } from '../checkpoint/weights';
import { controlNetLayout, controlNetToLdm, deriveControlNetConfig } from '../checkpoint/arch/controlnet';
import { shapeOf } from '../checkpoint/arch/shapes';
import { openCheckpointFile } from '../io/checkpoint-file';
import { float32ToBF16, float32ToF16, toFloat32 } from '../io/dtype';
import type { DType } from '../io/tensor';
import type { ControlNetHandle, ModelHandle } from '../handles';
import type { StateDict } from '../io/tensor';
import { deriveT2IAdapterConfig, t2iFromDiffusers } from './t2i-config';

export async function loadControlNet(
  models: ModelCache,
  file: string,
  o: { model?: ModelHandle; signal?: AbortSignal; warn?: (m: string) => void } = {},
): Promise<ControlNetHandle> {
  const id = await fileIdentity(file);
  const bytes = (await stat(file)).size;
  const name = path.basename(file);
  const plain = await models.get(`controlnet-file|${id}`, async () => {
    const f = await openCheckpointFile(file, { signal: o.signal });
    const layout = controlNetLayout(f.tensors, name);
    if (layout === 't2i-adapter') return { value: { ...t2iAdapterHandle(f.tensors, name, id), diff: false }, bytes };
    const dict = controlNetToLdm(f.tensors, layout, name);
    const weights = stateDictProvider(dict, `${id}/controlnet`);
    const hintChannels = shapeOf(weights, 'controlnet', 'input_hint_block.0.weight', 4)[1];
    // a Control-LoRA's config is the sampled model's
    const config = layout === 'control-lora' ? undefined : deriveControlNetConfig(weights);
    // ComfyUI's loader: a file whose name ends in _shuffle(_fp16) averages its residuals over each plane
    const stem = name.replace(/\.[^.]*$/, '');
    const value: ControlNetHandle & { diff: boolean } = {
      kind: 'control_net',
      weights,
      ...(config ? { config } : { controlLora: true }),
      hintChannels,
      name,
      key: `${id}/controlnet`,
      globalAveragePooling: /_shuffle(_fp16)?$/.test(stem),
      recipe: [{ step: 'controlnet', file: name }],
      // ComfyUI only honours `difference` in the prefixed (.pth-style) layout
      diff: layout === 'ldm' && f.tensors.has('difference'),
    };
    return { value, bytes };
  });
  const { diff, ...handle } = plain as ControlNetHandle & { diff: boolean };
  if (!diff) return handle;
  if (!o.model) {
    o.warn?.(
      `${name} is a diff ControlNet: without a model (DiffControlNetLoader) its weights are only differences and it will very likely not work`,
    );
    return handle;
  }
  const weights = withBaseAdded(handle.weights, o.model.unet, o.model.key);
  return {
    ...handle,
    weights,
    key: `${handle.key}+diff(${o.model.key})`,
    recipe: [...handle.recipe, { step: 'diff_controlnet', model: o.model.key }],
  };
}

/** load_t2i_adapter: the adapter's tensors (diffusers names renamed) and its config, as a CONTROL_NET value. */
function t2iAdapterHandle(tensors: StateDict, name: string, id: string): ControlNetHandle {
  const dict = t2iFromDiffusers(tensors);
  const config = deriveT2IAdapterConfig(dict, name);
  return {
    kind: 'control_net',
    weights: stateDictProvider(dict, `${id}/t2i_adapter`),
    t2iAdapter: config,
    hintChannels: config.inputChannels,
    name,
    key: `${id}/t2i_adapter`,
    // ComfyUI's T2IAdapter never pools, whatever the file's name
    globalAveragePooling: false,
    recipe: [{ step: 't2i_adapter', file: name }],
  };
}

/** Each tensor the UNet also has becomes diff + base, rounded to the diff's dtype (ComfyUI adds in that dtype). */
function withBaseAdded(diff: WeightProvider, base: WeightProvider, baseKey: string): WeightProvider {
  const memo = new Map<string, Promise<Float32Array>>();
  const summed = (name: string) => base.has(name);
  const compute = async (name: string): Promise<Float32Array> => {
    const dtype = diff.info(name).dtype;
    const [d, b] = await Promise.all([diff.float32(name), base.float32(name)]);
    if (d.length !== b.length)
      throw new Error(`diff ControlNet: ${name} has ${d.length} values, the model's UNet ${b.length}: a diff ControlNet for another model?`);
    const out = new Float32Array(d.length);
    const bIn = roundTo(b, dtype);
    for (let i = 0; i < d.length; i++) out[i] = d[i] + bIn[i];
    return roundTo(out, dtype);
  };
  return {
    names: () => diff.names(),
    has: (name) => diff.has(name),
    info: (name) => (summed(name) ? { dtype: 'F32', shape: diff.info(name).shape } : diff.info(name)),
    fileRange: (name) => (summed(name) ? undefined : diff.fileRange(name)),
    float32: (name) => {
      if (!summed(name)) return diff.float32(name);
      let v = memo.get(name);
      if (!v) {
        v = compute(name);
        memo.set(name, v);
      }
      return v;
    },
    identity: (name) => (summed(name) ? `${diff.identity(name)}+base(${baseKey}:${base.identity(name)})` : diff.identity(name)),
  };
}

/** fp32 values rounded to a stored float type (F16 / BF16); other types stay fp32. */
function roundTo(v: Float32Array, dtype: DType): Float32Array {
  if (dtype === 'F16') return toFloat32(new Uint8Array(float32ToF16(v).buffer), 'F16');
  if (dtype === 'BF16') return toFloat32(new Uint8Array(float32ToBF16(v).buffer), 'BF16');
  return v;
}
