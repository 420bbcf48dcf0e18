import type { WeightProvider } from '../weights';
import { applyLoras, modulesOf } from './apply';
import { claimedBy, COMPONENT_NAMING } from './names/key-map';
import type { LoraComponent, LoraReport, LoraSource } from './types';

export interface ModelLoraApplication {
  readonly file: LoraSource;
  /** strength on the UNet (ComfyUI strength_model) */
  readonly strengthModel: number;
  /** strength on every text encoder (ComfyUI strength_clip) */
  readonly strengthClip: number;
}

export type ModelComponents = Partial<Record<LoraComponent, WeightProvider>>;

export interface ModelLoraReport {
  readonly lora: string;
  readonly components: readonly LoraReport[];
  /** modules no component of this model could take, with the reason */
  readonly unmapped: readonly string[];
  /** one line for the user when something was skipped; undefined when every key landed */
  readonly warning: string | undefined;
}

const COMPONENT_ORDER: readonly LoraComponent[] = ['unet', 'clip', 'clip_l', 'clip_g'];

/**
 * Apply LoRAs to every patchable component of a model (UNet at strengthModel, text encoders at strengthClip),
 * stacked in order. Base providers are wrapped, never changed. Throws when a LoRA patches nothing at all.
 */
export function applyLorasToModel(
  components: ModelComponents,
  loras: readonly ModelLoraApplication[],
): { components: ModelComponents; reports: ModelLoraReport[] } {
  const present = COMPONENT_ORDER.filter((c) => components[c] !== undefined);
  const out: ModelComponents = { ...components };
  const perComponent = new Map<LoraComponent, LoraReport[]>();
  for (const c of present) {
    const strength = (l: ModelLoraApplication) => (c === 'unet' ? l.strengthModel : l.strengthClip);
    const applied = applyLoras(
      components[c]!,
      c,
      loras.map((l) => ({ file: l.file, strength: strength(l) })),
    );
    out[c] = applied.provider;
    perComponent.set(c, applied.reports);
  }
  const reports = loras.map((l, i) => {
    const reps = present.map((c) => perComponent.get(c)![i]);
    const absent = COMPONENT_ORDER.filter((c) => !present.includes(c));
    const unmapped = new Set<string>();
    for (const r of reps) for (const k of r.unmapped) unmapped.add(k);
    for (const m of modulesOf(l.file).modules) {
      const owners = COMPONENT_ORDER.filter((c) => claimedBy(m.key, COMPONENT_NAMING[c].claims));
      if (owners.length > 0 && owners.every((c) => absent.includes(c))) unmapped.add(`${m.key} (this model has no ${owners.join('/')})`);
    }
    // keys every component saw as foreign: list once
    const unrecognized = new Set(reps.flatMap((r) => r.unrecognized));
    for (const k of unrecognized) unmapped.add(k);
    const patched = reps.reduce((a, r) => a + r.patched, 0);
    if (patched === 0)
      throw new Error(`LoRA "${l.file.name}" patches nothing in this model (${[...unmapped].slice(0, 3).join(', ') || 'no modules'})`);
    const list = [...unmapped];
    const warning = list.length
      ? `LoRA "${l.file.name}": ${list.length} key${list.length === 1 ? '' : 's'} could not be mapped: ${list.slice(0, 5).join(', ')}${list.length > 5 ? ', …' : ''}`
      : undefined;
    return { lora: l.file.name, components: reps, unmapped: list, warning };
  });
  return { components: out, reports };
}
