import { describe, expect, it } from 'vitest';
import { formatNumber, parseNumberText, type NumericRule } from '@/app/lib/numberText';

const steps: NumericRule = { kind: 'int', label: 'steps', min: 1, max: 10000 };
const cfg: NumericRule = { kind: 'number', label: 'cfg', min: 0, max: 100, step: 0.1, round: 0.01 };
const denoise: NumericRule = { kind: 'number', label: 'denoise', min: 0, max: 1, step: 0.01 };
const width: NumericRule = { kind: 'int', label: 'width', min: 16, max: 16384 };
const seed: NumericRule = { kind: 'seed', label: 'seed' };

describe('typed numbers', () => {
  it('takes what was typed as the whole value', () => {
    expect(parseNumberText('30', steps)).toEqual({ ok: true, value: 30 });
    expect(parseNumberText('6.5', cfg)).toEqual({ ok: true, value: 6.5 });
    expect(parseNumberText('768', width)).toEqual({ ok: true, value: 768 });
    expect(parseNumberText('.5', denoise)).toEqual({ ok: true, value: 0.5 });
    expect(parseNumberText(' +7 ', steps)).toEqual({ ok: true, value: 7 });
  });

  it('refuses text that is not a number and negatives where the minimum is not', () => {
    expect(parseNumberText('-5', steps)).toEqual({ ok: false, reason: 'steps cannot be negative (minimum 1)' });
    expect(parseNumberText('abc', cfg)).toMatchObject({ ok: false, reason: 'cfg: "abc" is not a number' });
    expect(parseNumberText('', steps)).toMatchObject({ ok: false });
    expect(parseNumberText('1e999', cfg)).toMatchObject({ ok: false });
    expect(parseNumberText('-1', { kind: 'number', label: 'x', min: -10, max: 10, step: 0.1 })).toEqual({ ok: true, value: -1 });
  });

  it('clamps to the range and rounds to the precision, saying so', () => {
    expect(parseNumberText('20000', steps)).toEqual({ ok: true, value: 10000, note: 'steps clamped to the maximum 10000' });
    expect(parseNumberText('0', steps)).toEqual({ ok: true, value: 1, note: 'steps clamped to the minimum 1' });
    expect(parseNumberText('6.555', cfg)).toMatchObject({ ok: true, value: 6.56 });
    expect(parseNumberText('0.123', denoise)).toMatchObject({ ok: true, value: 0.12 });
    expect(parseNumberText('2.6', steps)).toEqual({ ok: true, value: 3, note: 'steps rounded to 3' });
    expect(parseNumberText('770', { ...width, multipleOf: 8 })).toMatchObject({ ok: true, value: 768 });
    expect(parseNumberText('0.30000000000000004', cfg)).toMatchObject({ ok: true, value: 0.3 });
  });

  it('keeps seeds whole, up to 2^64-1, as text past the safe integers', () => {
    expect(parseNumberText('42', seed)).toEqual({ ok: true, value: 42 });
    expect(parseNumberText('18446744073709551615', seed)).toEqual({ ok: true, value: '18446744073709551615' });
    expect(parseNumberText('18446744073709551616', seed)).toMatchObject({ ok: true, value: '18446744073709551615' });
    expect(parseNumberText('-3', seed)).toMatchObject({ ok: false, reason: 'seed cannot be negative' });
    expect(parseNumberText('1.5', seed)).toMatchObject({ ok: false });
  });

  it('formats without float noise', () => {
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(768)).toBe('768');
    expect(formatNumber('18446744073709551615')).toBe('18446744073709551615');
  });
});
