/** StyleModelLoader / StyleModelApply: T2I style adapter files (.safetensors or .pth) and their style tokens. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelCache } from '../model-cache';
import { fileIdentity } from '../checkpoint/hash';
import { stateDictProvider } from '../checkpoint/provider';
import { openCheckpointFile } from '../io/checkpoint-file';
import type { ClipVisionOutput, Conditioning, StyleModelHandle } from '../handles';
import { createStyleAdapter, type StyleAdapterRunner } from '../models';
import { deriveStyleAdapterConfig } from '../models/style-adapter';

export async function cachedStyleModel(models: ModelCache, file: string, signal?: AbortSignal): Promise<StyleModelHandle> {
  const id = await fileIdentity(file);
  const bytes = (await stat(file)).size;
  const name = path.basename(file);
  return models.get(`style-model-file|${id}`, async () => {
    const f = await openCheckpointFile(file, { signal });
    const weights = stateDictProvider(f.tensors, `${id}/style_model`);
    // ComfyUI: "style_embedding" marks a T2I style adapter (Flux Redux files are another model family)
    if (f.tensors.has('redux_down.weight')) throw new Error(`${name} is a Flux Redux model; only T2I style adapters (SD1) are supported`);
    deriveStyleAdapterConfig(weights, name);
    return { value: { kind: 'style_model', weights, name, key: `${id}/style_model`, recipe: [{ step: 'style_model', file: name }] }, bytes };
  });
}

function runnerFor(models: ModelCache, h: StyleModelHandle): Promise<StyleAdapterRunner> {
  return models.get(`style_model|${h.key}`, async () => ({ value: await createStyleAdapter(h.weights, h.name), bytes: 0 }));
}

/**
 * ComfyUI's StyleModelApply: the style tokens of every image (flattened into one row) × strength for "multiply",
 * appended to the conditioning's text tokens.
 */
export async function applyStyleModel(
  models: ModelCache,
  h: StyleModelHandle,
  cond: Conditioning,
  vision: ClipVisionOutput,
  strength: number,
  strengthType: 'multiply' | 'attn_bias',
): Promise<Conditioning> {
  // attn_bias at strength 1 is log(1) = 0: no bias, as ComfyUI skips it; other strengths need attention masks
  if (strengthType === 'attn_bias' && strength !== 1) {
    throw new Error(
      'StyleModelApply: strength_type "attn_bias" with a strength other than 1 needs attention masks, which are not supported yet; use "multiply"',
    );
  }
  const runner = await runnerFor(models, h);
  const style = await runner.run(vision.lastHiddenState);
  const dim = style.shape[2];
  const scale = strengthType === 'multiply' ? strength : 1;
  const styleData = scale === 1 ? style.data : style.data.map((v) => Math.fround(v * scale));
  const n = style.data.length / dim;
  // per entry: torch.cat((txt, cond), dim=1) with the style tokens as one row
  const entries = cond.entries.map((e, i) => {
    const [b, t, d] = e.cross.shape;
    const which = cond.entries.length > 1 ? ` (entry ${i + 1})` : '';
    if (d !== dim) {
      throw new Error(
        `StyleModelApply: ${h.name} makes ${dim}-wide tokens but the conditioning${which} is ${d} wide: a style model for another model family?`,
      );
    }
    if (b !== 1) throw new Error(`StyleModelApply: the conditioning${which} holds a batch of ${b}; its one row of style tokens joins a batch of 1`);
    const data = new Float32Array((t + n) * dim);
    data.set(e.cross.data);
    data.set(styleData, e.cross.data.length);
    return { ...e, cross: { data, shape: [1, t + n, dim] } };
  });
  return { kind: 'conditioning', entries };
}
