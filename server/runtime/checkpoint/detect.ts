import type { StateDict } from '../io/tensor';
import { CheckpointError } from './errors';
import { FAMILY_RULES, VARIANT_BY_IN_CHANNELS, VARIANT_KEY, type FamilyRule, type KeyCheck, type Variant } from './families';

function holds(dict: StateDict, check: KeyCheck): boolean {
  if ('prefix' in check) {
    for (const k of dict.keys()) if (k.startsWith(check.prefix)) return true;
    return false;
  }
  const t = dict.get(check.key);
  if (!t) return false;
  if (check.rank !== undefined && t.shape.length !== check.rank) return false;
  if (check.dim && t.shape[check.dim[0]] !== check.dim[1]) return false;
  return true;
}

export function detectFamily(dict: StateDict, path: string): FamilyRule {
  const rule = FAMILY_RULES.find((r) => r.requires.every((c) => holds(dict, c)) && !r.forbids.some((c) => holds(dict, c)));
  if (rule) return rule;
  throw new CheckpointError(`${path}: unknown model family (${dict.size} tensors; top-level prefixes: ${describePrefixes(dict)})`);
}

export function detectVariant(dict: StateDict, path: string): Variant {
  const w = dict.get(VARIANT_KEY);
  if (w?.shape.length !== 4) throw new CheckpointError(`${path}: ${VARIANT_KEY} is missing or not a 4-d conv weight`);
  const variant = VARIANT_BY_IN_CHANNELS[w.shape[1]];
  if (!variant)
    throw new CheckpointError(`${path}: UNet takes ${w.shape[1]} input channels; known: ${Object.keys(VARIANT_BY_IN_CHANNELS).join(', ')}`);
  return variant;
}

/** "model (686), first_stage_model (…)": the first two name segments, most common first. */
export function describePrefixes(dict: StateDict, limit = 8): string {
  const counts = new Map<string, number>();
  for (const k of dict.keys()) {
    const p = k.split('.').slice(0, 2).join('.');
    counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  const list = [...counts].sort((a, b) => b[1] - a[1]);
  const shown = list.slice(0, limit).map(([p, n]) => `${p} (${n})`);
  return (shown.join(', ') || 'none') + (list.length > limit ? `, … ${list.length - limit} more` : '');
}
