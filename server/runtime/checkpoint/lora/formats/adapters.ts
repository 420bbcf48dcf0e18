import type { Adapter, AdapterKind, LoraModule, LoraSlot } from '../types';

/**
 * Which roles make up each adapter kind (LyCORIS / ComfyUI weight_adapter semantics).
 * `oneOf` lists alternatives of which exactly one must be complete.
 */
interface KindRule {
  readonly kind: AdapterKind;
  readonly oneOf: readonly (readonly (readonly LoraSlot[])[])[];
  readonly optional: readonly LoraSlot[];
}

const SHARED_OPTIONAL: readonly LoraSlot[] = ['alpha', 'dora_scale', 'diff_b'];

export const KIND_RULES: readonly KindRule[] = [
  { kind: 'lora', oneOf: [[['up', 'down']]], optional: ['mid'] },
  {
    kind: 'loha',
    oneOf: [[['hada_w1_a', 'hada_w1_b', 'hada_w2_a', 'hada_w2_b']]],
    optional: ['hada_t1', 'hada_t2'],
  },
  {
    kind: 'lokr',
    oneOf: [
      [['lokr_w1'], ['lokr_w1_a', 'lokr_w1_b']],
      [['lokr_w2'], ['lokr_w2_a', 'lokr_w2_b']],
    ],
    optional: ['lokr_t2'],
  },
  { kind: 'diff', oneOf: [[['diff']]], optional: [] },
];

/** Roles that must come together: a Tucker core without its partner is malformed. */
const PAIRED: readonly (readonly [LoraSlot, LoraSlot])[] = [['hada_t1', 'hada_t2']];

export type AdapterResult = { adapter: Adapter } | { problem: string };

function slotsOf(rule: KindRule): Set<LoraSlot> {
  return new Set([...rule.oneOf.flat(2), ...rule.optional, ...SHARED_OPTIONAL]);
}

/** Validate a module's roles against the kind table; malformed modules come back as a problem, never guessed. */
export function toAdapter(module: LoraModule): AdapterResult {
  const present = Object.keys(module.slots) as LoraSlot[];
  const has = (s: LoraSlot) => module.slots[s] !== undefined;
  const kinds = KIND_RULES.filter((r) => r.oneOf.flat(2).some(has));
  if (kinds.length === 0) {
    if (has('diff_b') && present.every((s) => s === 'diff_b')) return { adapter: { key: module.key, kind: undefined, slots: module.slots } };
    return { problem: `has only ${present.join(', ')}: no weight adapter` };
  }
  if (kinds.length > 1) return { problem: `mixes adapter kinds ${kinds.map((k) => k.kind).join(' + ')}` };
  const rule = kinds[0];
  for (const group of rule.oneOf) {
    const complete = group.filter((alt) => alt.every(has));
    if (complete.length !== 1) {
      const wanted = group.map((alt) => alt.join('+')).join(' or ');
      return { problem: `${rule.kind} needs ${wanted}` };
    }
    const partial = group.find((alt) => alt !== complete[0] && alt.some(has));
    if (partial) return { problem: `${rule.kind} has both ${complete[0].join('+')} and ${partial.filter(has).join('+')}` };
  }
  for (const [a, b] of PAIRED) if (has(a) !== has(b)) return { problem: `${a} and ${b} must come together` };
  const allowed = slotsOf(rule);
  const stray = present.filter((s) => !allowed.has(s));
  if (stray.length > 0) return { problem: `${rule.kind} does not use ${stray.join(', ')}` };
  return { adapter: { key: module.key, kind: rule.kind, slots: module.slots } };
}
