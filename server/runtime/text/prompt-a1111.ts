/**
 * AUTOMATIC1111 attention syntax (modules/prompt_parser.py parse_prompt_attention), for reading
 * A1111 prompts. NOT used by the ComfyUI-compatible path (`tokenizeWeighted`), where `[x]` is plain text.
 *
 * Differences from ComfyUI's syntax:
 *  - `[x]` divides by 1.1; `(x:1.5)` MULTIPLIES the enclosing weight by 1.5 (ComfyUI replaces it);
 *  - unclosed `(`/`[` still apply their factor to the rest of the prompt;
 *  - `\(` `\)` `\[` `\]` `\\` escape; a lone `\` is kept;
 *  - `BREAK` (a whole word) is returned as the marker segment { text: 'BREAK', weight: -1 };
 *  - neighbouring segments of equal weight are merged.
 */
import { parsePythonFloat, type WeightedSegment } from './prompt';

// Python's re.X pattern from prompt_parser.py; \d and \s are Unicode-aware there, hence \p{Nd} and the u flag.
const RE_ATTENTION = /\\\(|\\\)|\\\[|\\\]|\\\\|\\|\(|\[|:\s*([+-]?[.\p{Nd}]+)\s*\)|\)|\]|[^\\()[\]:]+|:/gu;
const RE_BREAK = /\s*\bBREAK\b\s*/s;

export function parseA1111Attention(text: string): WeightedSegment[] {
  const res: Array<[string, number]> = [];
  const round: number[] = [];
  const square: number[] = [];
  const multiplyRange = (start: number, m: number) => {
    for (let p = start; p < res.length; p++) res[p][1] *= m;
  };
  for (const match of text.matchAll(RE_ATTENTION)) {
    const t = match[0];
    const weight = match[1];
    if (t.startsWith('\\')) {
      res.push([t.slice(1), 1.0]);
    } else if (t === '(') {
      round.push(res.length);
    } else if (t === '[') {
      square.push(res.length);
    } else if (weight !== undefined && round.length > 0) {
      const w = parsePythonFloat(weight);
      // A1111 raises ValueError here (e.g. "(a:1.2.3)"): the prompt cannot be used
      if (w === null) throw new Error(`could not convert string to float: '${weight}'`);
      multiplyRange(round.pop()!, w);
    } else if (t === ')' && round.length > 0) {
      multiplyRange(round.pop()!, 1.1);
    } else if (t === ']' && square.length > 0) {
      multiplyRange(square.pop()!, 1 / 1.1);
    } else {
      t.split(RE_BREAK).forEach((part, i) => {
        if (i > 0) res.push(['BREAK', -1]);
        res.push([part, 1.0]);
      });
    }
  }
  for (const pos of round) multiplyRange(pos, 1.1);
  for (const pos of square) multiplyRange(pos, 1 / 1.1);
  if (res.length === 0) res.push(['', 1.0]);
  for (let i = 0; i + 1 < res.length; ) {
    if (res[i][1] === res[i + 1][1]) {
      res[i][0] += res[i + 1][0];
      res.splice(i + 1, 1);
    } else i++;
  }
  return res.map(([t, w]) => ({ text: t, weight: w }));
}
