/** LoadLora on handles: one LoRA file patched over the UNet and every text tower, as new handles. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelCache } from '../model-cache';
import { applyLorasToModel, openLora, type LoraSource, type ModelComponents, type ModelLoraReport } from '../checkpoint/lora';
import type { WeightProvider } from '../checkpoint/weights';
import type { ClipHandle, ModelHandle, TowerName } from '../handles';

/** Header of a LoRA file, opened once per file version. */
export async function cachedLora(models: ModelCache, file: string): Promise<LoraSource> {
  const st = await stat(file);
  return models.get(`lora|${path.resolve(file)}|${st.size}|${st.mtimeMs}`, async () => ({ value: await openLora(file), bytes: 0 }));
}

export interface LoraResult {
  model: ModelHandle;
  clip: ClipHandle;
  report: ModelLoraReport;
}

export function loraHandles(model: ModelHandle, clip: ClipHandle, lora: LoraSource, strengthModel: number, strengthClip: number): LoraResult {
  if (model.family !== clip.family) throw new Error(`MODEL is ${model.family} but CLIP is ${clip.family}: link both from the same checkpoint`);
  const components: ModelComponents = { unet: model.unet, ...clip.towers };
  const { components: out, reports } = applyLorasToModel(components, [{ file: lora, strengthModel, strengthClip }]);
  const towers: Partial<Record<TowerName, WeightProvider>> = {};
  for (const t of Object.keys(clip.towers) as TowerName[]) towers[t] = out[t];
  const tag = (s: number) => `lora(${lora.identity}@${s})`;
  const step = (strength: number) => ({ step: 'lora', file: lora.name, strength });
  return {
    model: { ...model, unet: out.unet ?? model.unet, key: `${model.key}+${tag(strengthModel)}`, recipe: [...model.recipe, step(strengthModel)] },
    clip: { ...clip, towers, key: `${clip.key}+${tag(strengthClip)}`, recipe: [...clip.recipe, step(strengthClip)] },
    report: reports[0],
  };
}

/** LoraLoaderModelOnly: the UNet modules of a LoRA file; its text-encoder modules are not applied. */
export function loraModelOnly(model: ModelHandle, lora: LoraSource, strength: number): { model: ModelHandle; report: ModelLoraReport } {
  const { components: out, reports } = applyLorasToModel({ unet: model.unet }, [{ file: lora, strengthModel: strength, strengthClip: 0 }]);
  const step = { step: 'lora', file: lora.name, strength, modelOnly: true };
  // text-encoder modules are skipped on purpose here, not "unmapped"
  const unmapped = reports[0].unmapped.filter((k) => !/\(this model has no /.test(k));
  const warning = unmapped.length
    ? `LoRA "${lora.name}": ${unmapped.length} UNet key(s) could not be mapped: ${unmapped.slice(0, 5).join(', ')}`
    : undefined;
  return {
    model: { ...model, unet: out.unet ?? model.unet, key: `${model.key}+lora(${lora.identity}@${strength})`, recipe: [...model.recipe, step] },
    report: { ...reports[0], unmapped, warning },
  };
}
