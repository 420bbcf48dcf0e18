/** Widget value checks against a ParamSpec: one rule per kind, shared by the validator, overrides and the editor. Client-safe. */
import { SEED_MAX, type ParamSpec, type ParamValue } from './types';

export type ParamProblemCode = 'INVALID_VALUE' | 'VALUE_OUT_OF_RANGE' | 'INVALID_OPTION';
export type ParamProblem = { code: ParamProblemCode; message: string } | null;

export function parseSeed(v: ParamValue): bigint | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : null;
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) {
    const b = BigInt(v);
    return b <= SEED_MAX ? b : null;
  }
  return null;
}

const describe = (v: ParamValue) => JSON.stringify(v);

/** Checks a value's type and range; model and file existence are checked by the validator. */
export function checkParam(spec: ParamSpec, v: ParamValue): ParamProblem {
  switch (spec.kind) {
    case 'number':
    case 'int': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return { code: 'INVALID_VALUE', message: `expected a number, got ${describe(v)}` };
      if (spec.kind === 'int' && !Number.isInteger(v)) return { code: 'INVALID_VALUE', message: `expected an integer, got ${v}` };
      if (v < spec.min || v > spec.max) return { code: 'VALUE_OUT_OF_RANGE', message: `${v} is outside ${spec.min}..${spec.max}` };
      if (spec.kind === 'int' && spec.multipleOf && v % spec.multipleOf !== 0) {
        return { code: 'VALUE_OUT_OF_RANGE', message: `${v} is not a multiple of ${spec.multipleOf}` };
      }
      return null;
    }
    case 'seed':
      if (parseSeed(v) === null) return { code: 'VALUE_OUT_OF_RANGE', message: `seed ${describe(v)} must be an integer in 0..${SEED_MAX}` };
      return null;
    case 'select':
      if (typeof v !== 'string' || !spec.options.includes(v)) {
        return { code: 'INVALID_OPTION', message: `${describe(v)} is not one of ${spec.options.join(', ')}` };
      }
      return null;
    case 'boolean':
      return typeof v === 'boolean' ? null : { code: 'INVALID_VALUE', message: `expected true or false, got ${describe(v)}` };
    case 'text':
    case 'model':
    case 'image':
      return typeof v === 'string' ? null : { code: 'INVALID_VALUE', message: `expected text, got ${describe(v)}` };
    case 'any':
      return ['number', 'string', 'boolean'].includes(typeof v)
        ? null
        : { code: 'INVALID_VALUE', message: `expected a number, text or boolean, got ${describe(v)}` };
  }
}

/** A node's params with schema defaults filled in. */
export function withDefaults(specs: readonly ParamSpec[], params: Readonly<Record<string, ParamValue>>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const s of specs) out[s.name] = Object.hasOwn(params, s.name) ? params[s.name] : s.default;
  return out;
}
