import { describe, expect, it } from 'vitest';
import { describeGolden, golden } from '../../helpers/golden';
import { loadClipTokenizer } from '../../../server/runtime/text/tokenizer';
import {
  embeddingNames,
  EmbeddingUnsupportedError,
  escapeImportant,
  parseParentheses,
  parsePromptWeights,
  parsePythonFloat,
  tokenizeWeighted,
  unescapeImportant,
} from '../../../server/runtime/text/prompt';

// Expected (segment, weight) lists: ComfyUI's escape_important → token_weights → unescape_important
// (comfy/sd1_clip.py) evaluated on each prompt.
const WEIGHT_CASES: Array<[string, Array<[string, number]>]> = [
  ['a cat', [['a cat', 1.0]]],
  ['(a cat)', [['a cat', 1.1]]],
  ['((a cat))', [['a cat', 1.2100000000000002]]],
  ['(((x)))', [['x', 1.3310000000000004]]],
  ['(a:1.2)', [['a', 1.2]]],
  [
    '(a:1.25), b',
    [
      ['a', 1.25],
      [', b', 1.0],
    ],
  ],
  ['(a:0.5)', [['a', 0.5]]],
  ['((a):1.5)', [['a', 1.6500000000000001]]],
  ['((a:1.5))', [['a', 1.5]]],
  [
    '(a (b:0.8) c)',
    [
      ['a ', 1.1],
      ['b', 0.8],
      [' c', 1.1],
    ],
  ],
  ['(a:1.2:x)', [['a:1.2:x', 1.1]]],
  ['(:1.2)', [[':1.2', 1.1]]],
  ['(a:)', [['a:', 1.1]]],
  ['(a: 1.5 )', [['a', 1.5]]],
  ['(a:1e-1)', [['a', 0.1]]],
  ['(a:1_0)', [['a', 10.0]]],
  ['(a:inf)', [['a', Infinity]]],
  ['(a:-0.5)', [['a', -0.5]]],
  ['(a:+.5)', [['a', 0.5]]],
  ['(a:5.)', [['a', 5.0]]],
  ['(a:\uff11.\uff15)', [['a', 1.5]]],
  ['(a:1__0)', [['a:1__0', 1.1]]],
  ['(a:_1)', [['a:_1', 1.1]]],
  ['(a:0x10)', [['a:0x10', 1.1]]],
  ['\\(not weighted\\)', [['(not weighted)', 1.0]]],
  [
    '\\((weighted)\\)',
    [
      ['(', 1.0],
      ['weighted', 1.1],
      [')', 1.0],
    ],
  ],
  ['(a \\) b:1.3)', [['a ) b', 1.3]]],
  [
    'a (b',
    [
      ['a ', 1.0],
      ['(b', 1.0],
    ],
  ],
  ['a) b', [['a) b', 1.0]]],
  ['a) (b)', [['a) (b)', 1.0]]],
  ['((a) b', [['((a) b', 1.0]]],
  [
    'a (b c',
    [
      ['a ', 1.0],
      ['(b c', 1.0],
    ],
  ],
  ['[lowres], {blurry}', [['[lowres], {blurry}', 1.0]]],
  [
    '(a)(b)',
    [
      ['a', 1.1],
      ['b', 1.1],
    ],
  ],
  [
    'a (b:1.2) c (d) e',
    [
      ['a ', 1.0],
      ['b', 1.2],
      [' c ', 1.0],
      ['d', 1.1],
      [' e', 1.0],
    ],
  ],
  [
    'embedding:foo (embedding:bar:1.2)',
    [
      ['embedding:foo ', 1.0],
      ['embedding:bar', 1.2],
    ],
  ],
  [
    'x (y:NaN)',
    [
      ['x ', 1.0],
      ['y', NaN],
    ],
  ],
  ['((()))', []],
  ['()', []],
  ['(', [['(', 1.0]]],
  [')', [[')', 1.0]]],
  [
    '(a:1.2))',
    [
      ['a', 1.2],
      [')', 1.0],
    ],
  ],
  ['(((a:1.3)))', [['a', 1.3]]],
];

describe('ComfyUI prompt weighting parser', () => {
  it.each(WEIGHT_CASES)('%j', (prompt, expected) => {
    const got = parsePromptWeights(prompt).map((s) => [s.text, s.weight]);
    expect(got).toEqual(expected);
  });

  it('nested groups multiply by 1.1 per level; an explicit number replaces the weight', () => {
    expect(parsePromptWeights('((a))')[0].weight).toBe(1.1 * 1.1);
    expect(parsePromptWeights('((a:1.5))')[0].weight).toBe(1.5);
    expect(parsePromptWeights('((a):1.5)')[0].weight).toBe(1.5 * 1.1);
  });

  it('square brackets and braces are plain text (ComfyUI has no [x] = /1.1 rule)', () => {
    expect(parsePromptWeights('[a] {b}')).toEqual([{ text: '[a] {b}', weight: 1 }]);
  });

  it('escapes round-trip and hide parentheses from the parser', () => {
    expect(unescapeImportant(escapeImportant('\\(x\\)'))).toBe('(x)');
    expect(parseParentheses(escapeImportant('\\(x\\)'))).toHaveLength(1);
    expect(parseParentheses('a (b) c')).toEqual(['a ', '(b)', ' c']);
  });

  it('reads numbers as Python float() does', () => {
    expect(parsePythonFloat('1.25')).toBe(1.25);
    expect(parsePythonFloat(' 0.5\n')).toBe(0.5);
    expect(parsePythonFloat('.5')).toBe(0.5);
    expect(parsePythonFloat('5.')).toBe(5);
    expect(parsePythonFloat('1e-1')).toBe(0.1);
    expect(parsePythonFloat('1_000.5')).toBe(1000.5);
    expect(parsePythonFloat('-Infinity')).toBe(-Infinity);
    expect(parsePythonFloat('nan')).toBeNaN();
    expect(parsePythonFloat('١٫٥')).toBeNull(); // Arabic decimal separator is not '.'
    expect(parsePythonFloat('١.٥')).toBe(1.5);
    for (const bad of ['', '.', '1__0', '_1', '1_', '0x10', '1.2.3', 'e5', '1e', 'abc']) expect(parsePythonFloat(bad)).toBeNull();
  });
});

describeGolden('tokenizeWeighted (ComfyUI SDTokenizer.tokenize_with_weights)', () => {
  const tokenizer = loadClipTokenizer([golden('clip')]);
  const BOS = 49406;
  const EOS = 49407;
  const CAT = 2368;
  const ids = (c: { ids: Int32Array }) => Array.from(c.ids);
  const weights = (c: { weights: Float32Array }) => Array.from(c.weights);

  it('empty prompt → one chunk [BOS, EOS, pad…]', () => {
    const { chunks, embeddings } = tokenizeWeighted('', { tokenizer });
    expect(chunks).toHaveLength(1);
    expect(ids(chunks[0])).toEqual([BOS, EOS, ...Array(75).fill(EOS)]);
    expect(weights(chunks[0])).toEqual(Array(77).fill(1));
    expect(embeddings).toEqual([]);
    const g = tokenizeWeighted('', { tokenizer, padToken: 0 });
    expect(ids(g.chunks[0])).toEqual([BOS, EOS, ...Array(75).fill(0)]);
  });

  it('an unweighted prompt equals the SD1 padded77 ids (EOS padding) and clip_g ids (0 padding)', () => {
    const t = 'a photo of a cat';
    expect(ids(tokenizeWeighted(t, { tokenizer }).chunks[0])).toEqual(Array.from(tokenizer.tokenize(t)));
    expect(ids(tokenizeWeighted(t, { tokenizer, padToken: 0, maxLength: 77 }).chunks[0])).toEqual(Array.from(tokenizer.tokenize(t, { padToken: 0 })));
  });

  it('weights follow their tokens; BOS/EOS/padding weigh 1', () => {
    const { chunks } = tokenizeWeighted('a photo of a (cat:1.5), ((dog))', { tokenizer });
    const c = chunks[0];
    expect(ids(c).slice(0, 10)).toEqual([BOS, 320, 1125, 539, 320, CAT, 267, 1929, EOS, EOS]);
    expect(weights(c).slice(0, 10)).toEqual([1, 1, 1, 1, 1, 1.5, 1, Math.fround(1.21), 1, 1]);
    expect(Array.from(c.wordIds).slice(0, 10)).toEqual([0, 1, 1, 1, 1, 2, 3, 4, 0, 0]);
  });

  it('escaped parentheses are tokenized as text', () => {
    const { chunks } = tokenizeWeighted('\\(cat\\)', { tokenizer });
    expect(ids(chunks[0]).slice(0, 5)).toEqual([BOS, ...tokenizer.encode('(cat)'), EOS]);
    expect(ids(chunks[0]).slice(0, 5)).toEqual([BOS, 263, CAT, 264, EOS]);
    expect(weights(chunks[0]).every((w) => w === 1)).toBe(true);
  });

  it('a >77-token prompt becomes several 77-token chunks, each BOS … EOS pad…', () => {
    const prompt = Array(100).fill('cat').join(' ');
    const { chunks } = tokenizeWeighted(prompt, { tokenizer });
    expect(chunks).toHaveLength(2);
    expect(ids(chunks[0])).toEqual([BOS, ...Array(75).fill(CAT), EOS]);
    expect(ids(chunks[1])).toEqual([BOS, ...Array(25).fill(CAT), EOS, ...Array(50).fill(EOS)]);
    const g = tokenizeWeighted(prompt + ' ' + prompt, { tokenizer, padToken: 0 });
    expect(g.chunks).toHaveLength(3);
    for (const c of g.chunks) {
      expect(c.ids.length).toBe(77);
      expect(c.weights.length).toBe(77);
      expect(c.ids[0]).toBe(BOS);
    }
    expect(ids(g.chunks[2])).toEqual([BOS, ...Array(50).fill(CAT), EOS, ...Array(25).fill(0)]);
  });

  it('a group shorter than 8 tokens is not split across chunks; a longer one is', () => {
    const head = Array(73).fill('cat').join(' ');
    // group of 4 tokens does not fit in the 2 remaining slots: the chunk is closed and padded
    const short = tokenizeWeighted(`${head} (a photo of a:1.2)`, { tokenizer });
    expect(short.chunks).toHaveLength(2);
    expect(ids(short.chunks[0])).toEqual([BOS, ...Array(73).fill(CAT), EOS, EOS, EOS]);
    expect(ids(short.chunks[1]).slice(0, 6)).toEqual([BOS, 320, 1125, 539, 320, EOS]);
    expect(weights(short.chunks[1]).slice(0, 6)).toEqual([1, 1.2, 1.2, 1.2, 1.2, 1].map(Math.fround));
    // group of 10 tokens (>= 8) is split: 2 in the first chunk, 8 in the second
    const long = tokenizeWeighted(`${head} (${Array(10).fill('dog').join(' ')}:0.5)`, { tokenizer });
    expect(long.chunks).toHaveLength(2);
    expect(ids(long.chunks[0])).toEqual([BOS, ...Array(73).fill(CAT), 1929, 1929, EOS]);
    expect(weights(long.chunks[0]).slice(74, 77)).toEqual([0.5, 0.5, 1]);
    expect(ids(long.chunks[1]).slice(0, 10)).toEqual([BOS, ...Array(8).fill(1929), EOS]);
  });

  it('exactly 75 tokens fit in one chunk; 76 need two', () => {
    expect(tokenizeWeighted(Array(75).fill('cat').join(' '), { tokenizer }).chunks).toHaveLength(1);
    expect(tokenizeWeighted(Array(76).fill('cat').join(' '), { tokenizer }).chunks).toHaveLength(2);
  });

  it('a missing embedding:name is reported and skipped as ComfyUI skips it', () => {
    const r = tokenizeWeighted('embedding:easynegative, ugly', { tokenizer });
    expect(r.embeddings).toEqual([{ name: 'easynegative', weight: 1, status: 'missing' }]);
    expect(ids(r.chunks[0]).slice(0, 4)).toEqual([BOS, ...tokenizer.encode(', ugly'), EOS]);
    const r2 = tokenizeWeighted('a cat embedding:foo (embedding:bar:1.2) dog', { tokenizer });
    expect(r2.embeddings.map((e) => [e.name, e.weight])).toEqual([
      ['foo', 1],
      ['bar', 1.2],
    ]);
    expect(ids(r2.chunks[0]).slice(0, 6)).toEqual([BOS, 320, CAT, 1929, EOS, EOS]);
    expect(() => tokenizeWeighted('x embedding:foo', { tokenizer, onEmbedding: 'error' })).toThrow(EmbeddingUnsupportedError);
    expect(() => tokenizeWeighted('x embedding:foo', { tokenizer, onEmbedding: 'error' })).toThrow(/embedding:foo/);
  });

  it('a found embedding becomes tokens −1−k of its weight; "name," is tried with the comma first', () => {
    const v = (x: number) => Float32Array.of(x, x);
    const tried: string[] = [];
    const resolveEmbedding = (name: string) => {
      tried.push(name);
      return name === 'emb' ? [v(1), v(2), v(3)] : name === 'one' ? [v(9)] : null;
    };
    const r = tokenizeWeighted('a embedding:emb, cat (embedding:one:1.3) embedding:emb', { tokenizer, resolveEmbedding });
    expect(tried).toEqual(['emb,', 'emb', 'one', 'emb']);
    expect(r.embeddings.map((e) => [e.name, e.weight, e.status])).toEqual([
      ['emb', 1, 'found'],
      ['one', 1.3, 'found'],
      ['emb', 1, 'found'],
    ]);
    // "a", the three vectors, ", cat" (the comma back in the text), then the weighted one, then emb again
    expect(ids(r.chunks[0]).slice(0, 12)).toEqual([BOS, 320, -1, -2, -3, ...tokenizer.encode(', cat'), -4, -5, -6, -7, EOS].slice(0, 12));
    expect(weights(r.chunks[0]).slice(5, 8)).toEqual([1, 1, 1.3].map((x) => Math.fround(x)));
    expect(r.extras.map((e) => e[0])).toEqual([1, 2, 3, 9, 1, 2, 3]);
    expect(embeddingNames('a embedding:emb, cat (embedding:one:1.3) embedding:emb')).toEqual(['emb,', 'emb', 'one']);
  });

  it('disableWeights keeps parentheses as text', () => {
    const { chunks } = tokenizeWeighted('(cat:1.5)', { tokenizer, disableWeights: true });
    expect(ids(chunks[0]).slice(0, 9)).toEqual([BOS, ...tokenizer.encode('(cat:1.5)'), EOS]);
    expect(weights(chunks[0]).every((w) => w === 1)).toBe(true);
  });
});
