import type { WeightProvider } from '../weights';
import { LoraNoMatchError, LoraShapeError } from './errors';
import { toAdapter } from './formats/adapters';
import { groupModules, type GroupedLora } from './formats/group';
import { numelOf } from './math/dense';
import { deltaShape } from './math/delta';
import { buildKeyMap, claimedBy, COMPONENT_NAMING, type KeyTarget, type LoraKeyMap } from './names/key-map';
import { PatchedProvider, type TensorPatch } from './patched-provider';
import type { Adapter, LoraComponent, LoraReport, LoraSource, TensorSlice } from './types';

export interface LoraApplication {
  readonly file: LoraSource;
  /** any real number; negative inverts the LoRA, 0 leaves the component untouched */
  readonly strength: number;
}

export interface AppliedLoras {
  readonly provider: WeightProvider;
  /** one per LoRA, in order */
  readonly reports: LoraReport[];
}

const grouped = new WeakMap<LoraSource, GroupedLora>();
/** The file's modules, grouped once per opened file. */
export function modulesOf(file: LoraSource): GroupedLora {
  let g = grouped.get(file);
  if (!g) {
    g = groupModules(file);
    grouped.set(file, g);
  }
  return g;
}

const keyMaps = new WeakMap<WeightProvider, Map<LoraComponent, LoraKeyMap>>();
/** Key maps depend only on the base's names: built once per (base, component). */
function keyMapFor(base: WeightProvider, component: LoraComponent): LoraKeyMap {
  let byComponent = keyMaps.get(base);
  if (!byComponent) {
    byComponent = new Map();
    keyMaps.set(base, byComponent);
  }
  let map = byComponent.get(component);
  if (!map) {
    map = buildKeyMap(component, base);
    byComponent.set(component, map);
  }
  return map;
}

const ALL_CLAIMS = Object.values(COMPONENT_NAMING).flatMap((n) => n.claims);

function sliceShape(base: WeightProvider, slice: TensorSlice): readonly number[] {
  const shape = base.info(slice.name).shape;
  return slice.rows ? [slice.rows.count, ...shape.slice(1)] : shape;
}

const fmt = (s: TensorSlice) => (s.rows ? `${s.name}[${s.rows.start}:${s.rows.start + s.rows.count}]` : s.name);

/** Header-only check that the adapter fits its target; throws naming the tensor. */
function checkFits(lora: string, base: WeightProvider, adapter: Adapter, target: KeyTarget): void {
  if (adapter.kind) {
    const want = sliceShape(base, target.weight);
    const got = deltaShape(adapter);
    const exact = adapter.kind === 'diff';
    const fits = exact ? got.length === want.length && got.every((d, i) => d === want[i]) : got[0] === want[0] && numelOf(got) === numelOf(want);
    if (!fits) throw new LoraShapeError(lora, adapter.key, fmt(target.weight), want, got);
    const dora = adapter.slots.dora_scale;
    if (dora && dora.shape[0] !== want[0] && numelOf(dora.shape) !== want[1]) {
      throw new LoraShapeError(lora, `${adapter.key}.dora_scale`, fmt(target.weight), want, dora.shape);
    }
  }
  const diffB = adapter.slots.diff_b;
  if (diffB) {
    if (!base.has(target.bias.name)) throw new LoraShapeError(lora, adapter.key, fmt(target.bias), [], diffB.shape);
    const want = sliceShape(base, target.bias);
    if (numelOf(want) !== numelOf(diffB.shape)) throw new LoraShapeError(lora, adapter.key, fmt(target.bias), want, diffB.shape);
  }
}

/**
 * Patch one component with LoRAs, stacked in order. Mapping and shape checks happen now (from headers);
 * the maths runs lazily per tensor when float32() asks for it. Throws LoraShapeError for a LoRA made for
 * another model, LoraNoMatchError for a LoRA with modules for this component of which none match.
 */
export function applyLoras(base: WeightProvider, component: LoraComponent, loras: readonly LoraApplication[]): AppliedLoras {
  const keyMap = keyMapFor(base, component);
  const patches = new Map<string, TensorPatch[]>();
  const reports: LoraReport[] = [];
  for (const { file, strength } of loras) {
    if (!Number.isFinite(strength)) throw new Error(`LoRA "${file.name}": strength ${strength} is not a finite number`);
    const { modules, unknownKeys } = modulesOf(file);
    const application = `${file.identity}@${strength}`;
    const unmapped: string[] = [];
    const unrecognized = [...unknownKeys];
    const touched = new Set<string>();
    let targeted = 0;
    let claimedElsewhere = 0;
    const own: TensorPatch[][] = [];
    for (const module of modules) {
      if (!claimedBy(module.key, keyMap.claims)) {
        if (claimedBy(module.key, ALL_CLAIMS)) claimedElsewhere++;
        else unrecognized.push(module.key);
        continue;
      }
      targeted++;
      const target = keyMap.targets.get(module.key);
      if (!target) {
        unmapped.push(module.key);
        continue;
      }
      const result = toAdapter(module);
      if ('problem' in result) {
        unmapped.push(`${module.key} (${result.problem})`);
        continue;
      }
      const adapter = result.adapter;
      checkFits(file.name, base, adapter, target);
      const mine: TensorPatch[] = [];
      if (adapter.kind) mine.push({ adapter, part: 'weight', slice: target.weight, strength, application });
      if (adapter.slots.diff_b) mine.push({ adapter, part: 'bias', slice: target.bias, strength, application });
      for (const p of mine) touched.add(p.slice.name);
      own.push(mine);
    }
    if (targeted > 0 && touched.size === 0) {
      throw new LoraNoMatchError(file.name, `none of its ${targeted} ${component} modules exist in this model (e.g. ${unmapped[0]})`);
    }
    if (targeted === 0 && claimedElsewhere === 0) {
      throw new LoraNoMatchError(file.name, `none of its ${file.tensors.size} keys name a UNet or text-encoder module (e.g. ${unrecognized[0]})`);
    }
    // strength 0 is an exact no-op: no patch, so the base values and identities come through unchanged
    if (strength !== 0) {
      for (const p of own.flat()) {
        const list = patches.get(p.slice.name) ?? [];
        list.push(p);
        patches.set(p.slice.name, list);
      }
    }
    reports.push({ lora: file.name, component, strength, targeted, patched: touched.size, unmapped, unrecognized });
  }
  return { provider: patches.size > 0 ? new PatchedProvider(base, patches) : base, reports };
}
