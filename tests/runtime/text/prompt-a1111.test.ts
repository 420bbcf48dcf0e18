import { describe, expect, it } from 'vitest';
import { parseA1111Attention } from '../../../server/runtime/text/prompt-a1111';

// Expected: AUTOMATIC1111 modules/prompt_parser.py parse_prompt_attention on each prompt
// (the first six are the examples of its docstring).
const CASES: Array<[string, Array<[string, number]>]> = [
  ['normal text', [['normal text', 1.0]]],
  [
    'an (important) word',
    [
      ['an ', 1.0],
      ['important', 1.1],
      [' word', 1.0],
    ],
  ],
  ['(unbalanced', [['unbalanced', 1.1]]],
  ['\\(literal\\]', [['(literal]', 1.0]]],
  ['(unnecessary)(parens)', [['unnecessaryparens', 1.1]]],
  [
    'a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).',
    [
      ['a ', 1.0],
      ['house', 1.5730000000000004],
      [' ', 1.1],
      ['on', 1.0],
      [' a ', 1.1],
      ['hill', 0.55],
      [', sun, ', 1.1],
      ['sky', 1.4641000000000006],
      ['.', 1.1],
    ],
  ],
  [
    '[[a]] [b',
    [
      ['a', 0.8264462809917354],
      [' ', 1.0],
      ['b', 0.9090909090909091],
    ],
  ],
  [
    'a BREAK b (c BREAK d)',
    [
      ['a', 1.0],
      ['BREAK', -1.0],
      ['b ', 1.0],
      ['c', 1.1],
      ['BREAK', -1.1],
      ['d', 1.1],
    ],
  ],
  [
    '(a: 1.5 ) b:c',
    [
      ['a', 1.5],
      [' b:c', 1.0],
    ],
  ],
  ['\\\\ \\x', [['\\ x', 1.0]]],
  ['', [['', 1.0]]],
  [
    '(a:1.2) [b:0.5]',
    [
      ['a', 1.2],
      [' ', 1.0],
      ['b:0.5', 0.9090909090909091],
    ],
  ],
  ['a ]) b', [['a ]) b', 1.0]]],
  ['(x:-.5)', [['x', -0.5]]],
  ['((a:2):3)', [['a', 6.0]]],
];

describe('A1111 attention syntax (import only; ComfyUI path does not use it)', () => {
  it.each(CASES)('%j', (prompt, expected) => {
    expect(parseA1111Attention(prompt).map((s) => [s.text, s.weight])).toEqual(expected);
  });

  it('square brackets divide by 1.1 and explicit weights multiply', () => {
    expect(parseA1111Attention('[a]')[0].weight).toBe(1 / 1.1);
    expect(parseA1111Attention('((a:2))')[0].weight).toBe(2 * 1.1);
  });

  it('an unparsable number is an error, as in A1111', () => {
    expect(() => parseA1111Attention('(a:1.2.3)')).toThrow(/could not convert/);
  });
});
