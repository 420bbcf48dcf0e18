import { openCheckpointFile, type CheckpointExtra } from '../io/checkpoint-file';
import { toFloat32 } from '../io/dtype';
import type { StateDict } from '../io/tensor';
import { detectFamily, detectVariant } from './detect';
import {
  EXTRA_KINDS,
  SD2_V_HEURISTIC,
  V_PREDICTION_MARKERS,
  type ComponentName,
  type Family,
  type FamilyRule,
  type Prediction,
  type Variant,
} from './families';
import { fileIdentity } from './hash';
import { stateDictProvider, stripPrefix } from './provider';
import type { WeightProvider } from './weights';

export interface Checkpoint {
  path: string;
  format: 'safetensors' | 'ckpt';
  family: Family;
  variant: Variant;
  prediction: Prediction;
  /** why `prediction` has its value */
  predictionSource: 'option' | 'marker key' | 'sd2 heuristic' | 'family default';
  /** component -> tensors with the component prefix stripped (canonical LDM names) */
  components: Partial<Record<ComponentName, StateDict>>;
  /** the prefix each component was read from */
  componentPrefixes: Partial<Record<ComponentName, string>>;
  /** names of tensors outside every component */
  extras: { ema: string[]; optimizer: string[]; other: string[] };
  /** non-tensor training state of .ckpt files (global_step, epoch, optimizer_states, ...) */
  trainingState: Record<string, CheckpointExtra>;
  metadata: Record<string, string>;
  /** every tensor in the file, by its original name */
  tensors: StateDict;
  /** cheap identity of this file version (path, size, mtime) */
  id: string;
  provider(component: ComponentName): WeightProvider;
}

export interface LoadOptions {
  prediction?: 'auto' | Prediction;
  /** cancels a long .ckpt unpickle between slices and before each tensor read */
  signal?: AbortSignal;
}

export async function loadCheckpoint(path: string, opts: LoadOptions = {}): Promise<Checkpoint> {
  const file = await openCheckpointFile(path, { signal: opts.signal });
  const dict = file.tensors;
  const rule = detectFamily(dict, path);
  const variant = detectVariant(dict, path);
  const components: Partial<Record<ComponentName, StateDict>> = {};
  for (const [name, prefix] of Object.entries(rule.components) as [ComponentName, string][]) {
    components[name] = stripPrefix(dict, prefix);
  }
  const claimed = Object.values(rule.components);
  const extras = { ema: [] as string[], optimizer: [] as string[], other: [] as string[] };
  for (const k of dict.keys()) {
    if (claimed.some((p) => k.startsWith(p))) continue;
    const kind = EXTRA_KINDS.find((e) => k.startsWith(e.prefix))?.kind;
    extras[kind ?? 'other'].push(k);
  }
  for (const k of Object.keys(file.extras)) if (/^(optimizer|lr_scheduler)/.test(k)) extras.optimizer.push(k);
  const { prediction, source } = await decidePrediction(dict, rule, variant, opts.prediction ?? 'auto');
  const id = await fileIdentity(path);
  return {
    path,
    format: file.format,
    family: rule.family,
    variant,
    prediction,
    predictionSource: source,
    components,
    componentPrefixes: { ...rule.components },
    extras,
    trainingState: file.extras,
    metadata: file.metadata,
    tensors: dict,
    id,
    provider: (c) => stateDictProvider(components[c] ?? new Map(), `${id}/${c}`),
  };
}

async function decidePrediction(
  dict: StateDict,
  rule: FamilyRule,
  variant: Variant,
  wanted: 'auto' | Prediction,
): Promise<{ prediction: Prediction; source: Checkpoint['predictionSource'] }> {
  if (wanted !== 'auto') return { prediction: wanted, source: 'option' };
  if (V_PREDICTION_MARKERS.some((k) => dict.has(k))) return { prediction: 'v_prediction', source: 'marker key' };
  // as ComfyUI: SD2 inpainting models are eps, so the heuristic only runs on 4-channel UNets
  if (rule.autoPrediction === 'sd2-heuristic' && variant === 'normal') {
    const t = dict.get(SD2_V_HEURISTIC.key);
    if (t) {
      const v = toFloat32(await t.read(), t.dtype);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      return { prediction: std > SD2_V_HEURISTIC.stdAbove ? 'v_prediction' : 'eps', source: 'sd2 heuristic' };
    }
  }
  return { prediction: 'eps', source: 'family default' };
}
