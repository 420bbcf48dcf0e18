import { SEED_MAX } from '@/nodes/types';

/** What a numeric widget accepts: the bounds and rounding of its ParamSpec. */
export interface NumericRule {
  kind: 'int' | 'number' | 'seed';
  label: string;
  min?: number;
  max?: number;
  /** FLOAT: the step whose decimals set the precision when `round` is absent */
  step?: number;
  /** FLOAT: ComfyUI's round (false: no rounding) */
  round?: number | false;
  /** INT: value snaps to a multiple of this */
  multipleOf?: number;
}

/** A committed value, with a note when it was changed to fit (clamped, rounded); or why the text is refused. */
export type NumberParse = { ok: true; value: number | string; note?: string } | { ok: false; reason: string };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function decimalsOf(x: number): number {
  const s = String(x);
  if (s.includes('e-')) return Number(s.split('e-')[1]);
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** Round to a precision without binary noise (0.1 + 0.2 stays 0.3). */
function roundTo(v: number, precision: number): number {
  const d = decimalsOf(precision);
  return Number((Math.round(v / precision) * precision).toFixed(d));
}

/**
 * Parses what a person typed into a numeric widget. Text that is not a number, or a negative number where
 * the minimum is 0 or more, is refused with the reason; a number out of range is clamped; an INT is rounded
 * (to its multiple when it has one); a FLOAT is rounded to its precision. Seeds are whole numbers up to 2^64-1,
 * kept as decimal strings above Number.MAX_SAFE_INTEGER.
 */
export function parseNumberText(text: string, rule: NumericRule): NumberParse {
  const t = text.trim().replace(/^\+/, '');
  if (t === '') return { ok: false, reason: `${rule.label}: type a number` };
  if (rule.kind === 'seed') {
    if (t.startsWith('-')) return { ok: false, reason: `${rule.label} cannot be negative` };
    if (!/^\d+$/.test(t)) return { ok: false, reason: `${rule.label} must be a whole number (0 to ${SEED_MAX})` };
    const big = BigInt(t);
    if (big > SEED_MAX) return { ok: true, value: SEED_MAX.toString(), note: `${rule.label} clamped to the largest seed` };
    const n = Number(big);
    return { ok: true, value: Number.isSafeInteger(n) ? n : big.toString() };
  }
  if (!NUMBER.test(t)) return { ok: false, reason: `${rule.label}: "${text.trim()}" is not a number` };
  let v = Number(t);
  if (!Number.isFinite(v)) return { ok: false, reason: `${rule.label}: "${text.trim()}" is too large` };
  if (v < 0 && rule.min !== undefined && rule.min >= 0) return { ok: false, reason: `${rule.label} cannot be negative (minimum ${rule.min})` };
  const notes: string[] = [];
  if (rule.kind === 'int') {
    const unit = rule.multipleOf ?? 1;
    const r = Math.round(v / unit) * unit;
    if (r !== v) notes.push(unit === 1 ? `rounded to ${r}` : `rounded to ${r} (a multiple of ${unit})`);
    v = r;
  } else {
    const precision = rule.round === false ? null : (rule.round ?? (rule.step !== undefined ? 10 ** -decimalsOf(rule.step) : null));
    if (precision) {
      const r = roundTo(v, precision);
      if (r !== v) notes.push(`rounded to ${r}`);
      v = r;
    }
  }
  if (rule.min !== undefined && v < rule.min) {
    v = rule.min;
    notes.splice(0, notes.length, `clamped to the minimum ${rule.min}`);
  } else if (rule.max !== undefined && v > rule.max) {
    v = rule.max;
    notes.splice(0, notes.length, `clamped to the maximum ${rule.max}`);
  }
  if (Object.is(v, -0)) v = 0;
  return notes.length > 0 ? { ok: true, value: v, note: `${rule.label} ${notes.join(', ')}` } : { ok: true, value: v };
}

/** How a committed value reads in its field (no float noise, seeds in full). */
export function formatNumber(value: number | string): string {
  if (typeof value === 'string') return value;
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(12)));
}
