/**
 * Text clean-up applied by openai/CLIP's SimpleTokenizer before BPE:
 *   basic_clean(text)      = html.unescape(html.unescape(ftfy.fix_text(text))).strip()
 *   whitespace_clean(text) = re.sub(r'\s+', ' ', text).strip()
 * followed by `.lower()`.
 *
 * `ftfyFixText` re-implements the parts of ftfy.fix_text (v6 defaults) that change real prompts:
 * HTML entities (auto mode), terminal escapes, UTF-8-read-as-Windows-1252 mojibake (e.g. "cafÃ©" → "café"),
 * C1 controls, Latin ligatures, full-/half-width forms (NFKC of U+FF01–U+FFEF), curly quotes, line breaks,
 * control characters and NFC normalisation. ftfy's statistical "badness" heuristics are NOT reproduced:
 * the mojibake fix here decodes every run of Windows-1252 characters that forms a valid UTF-8
 * multi-byte sequence (ftfy also requires the text to look "bad"; legitimate text such as "Ã©" is
 * practically never written on purpose, so the two agree on prompts).
 */
import { HTML5_ENTITIES, INVALID_CHARREFS, INVALID_CODEPOINTS } from './html-entities';

/** Python `regex` module `\s` (Unicode White_Space). */
export const PY_REGEX_WS = '\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
/** Python `str.isspace()` characters (used by `str.strip()`): White_Space plus U+001C–U+001F. */
const PY_STRIP_WS = `${PY_REGEX_WS}\\x1c-\\x1f`;

const STRIP_RE = new RegExp(`^[${PY_STRIP_WS}]+|[${PY_STRIP_WS}]+$`, 'gu');
const WS_RUN_RE = new RegExp(`[${PY_REGEX_WS}]+`, 'gu');

/** Python `str.strip()` with no argument. */
export function pyStrip(text: string): string {
  return text.replace(STRIP_RE, '');
}

/** openai/CLIP `whitespace_clean`. */
export function whitespaceClean(text: string): string {
  return pyStrip(text.replace(WS_RUN_RE, ' '));
}

/** openai/CLIP `basic_clean`. */
export function basicClean(text: string): string {
  return pyStrip(htmlUnescape(htmlUnescape(ftfyFixText(text))));
}

/** The whole pre-BPE normalisation of SimpleTokenizer.encode. */
export function clipNormalize(text: string): string {
  return whitespaceClean(basicClean(text)).toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Python html.unescape
// ---------------------------------------------------------------------------------------------

const CHARREF_RE = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu;

function replaceCharref(s: string): string {
  if (s[0] === '#') {
    const hex = s[1] === 'x' || s[1] === 'X';
    const digits = (hex ? s.slice(2) : s.slice(1)).replace(/;$/, '');
    // Very long digit strings are out of range anyway; keep the comparison exact enough.
    const num = digits.replace(/^0+/, '').length > 8 ? Number.POSITIVE_INFINITY : parseInt(digits, hex ? 16 : 10);
    const mapped = INVALID_CHARREFS.get(num);
    if (mapped !== undefined) return mapped;
    if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return '\ufffd';
    if (INVALID_CODEPOINTS.has(num)) return '';
    return String.fromCodePoint(num);
  }
  const direct = HTML5_ENTITIES[s];
  if (direct !== undefined) return direct;
  // longest matching prefix, as the HTML5 standard (and Python) do; prefixes are whole code points
  const cps = Array.from(s);
  for (let x = cps.length - 1; x > 1; x--) {
    const prefix = cps.slice(0, x).join('');
    const hit = HTML5_ENTITIES[prefix];
    if (hit !== undefined) return hit + cps.slice(x).join('');
  }
  return `&${s}`;
}

/** Python's `html.unescape` (HTML5 named and numeric character references). */
export function htmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARREF_RE, (_m, g1: string) => replaceCharref(g1));
}

// ---------------------------------------------------------------------------------------------
// ftfy.fix_text (the deterministic parts)
// ---------------------------------------------------------------------------------------------

/** ftfy's sloppy-windows-1252: bytes 0x80–0x9F (undefined ones map to the C1 control of the same value). */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c,
  0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];
const CHAR_TO_1252 = new Map<number, number>();
for (let b = 0; b < 256; b++) CHAR_TO_1252.set(b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80] : b, b);

function utf8SeqLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

function validUtf8(bytes: number[]): boolean {
  const [b0, b1] = bytes;
  for (let i = 1; i < bytes.length; i++) if (bytes[i] < 0x80 || bytes[i] > 0xbf) return false;
  if (b0 === 0xe0 && b1 < 0xa0) return false;
  if (b0 === 0xed && b1 > 0x9f) return false;
  if (b0 === 0xf0 && b1 < 0x90) return false;
  if (b0 === 0xf4 && b1 > 0x8f) return false;
  return true;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Undo UTF-8 that was decoded as Windows-1252/Latin-1 ("cafÃ©" → "café"). */
export function fixMojibake(text: string): string {
  const cps = Array.from(text, (c) => c.codePointAt(0)!);
  let out = '';
  let changed = false;
  for (let i = 0; i < cps.length; ) {
    const lead = CHAR_TO_1252.get(cps[i]);
    const n = lead === undefined ? 0 : utf8SeqLength(lead);
    if (n > 0 && i + n <= cps.length) {
      const bytes = [lead!];
      for (let k = 1; k < n; k++) {
        const b = CHAR_TO_1252.get(cps[i + k]);
        if (b === undefined) break;
        bytes.push(b);
      }
      if (bytes.length === n && validUtf8(bytes)) {
        out += utf8Decoder.decode(Uint8Array.from(bytes));
        i += n;
        changed = true;
        continue;
      }
    }
    out += String.fromCodePoint(cps[i]);
    i++;
  }
  return changed ? out : text;
}

const TERMINAL_ESCAPE_RE = /\x1b\[((?:\d|;)*)([a-zA-Z])/g;
const C1_RE = /[\x80-\x9f]/g;
const LIGATURES: Record<string, string> = {
  Ĳ: 'IJ',
  ĳ: 'ij',
  ŉ: 'ʼn',
  Ǆ: 'DŽ',
  ǅ: 'Dž',
  ǆ: 'dž',
  Ǉ: 'LJ',
  ǈ: 'Lj',
  ǉ: 'lj',
  Ǌ: 'NJ',
  ǋ: 'Nj',
  ǌ: 'nj',
  ﬀ: 'ff',
  ﬁ: 'fi',
  ﬂ: 'fl',
  ﬃ: 'ffi',
  ﬄ: 'ffl',
  ﬅ: 'ſt',
  ﬆ: 'st',
};
const LIGATURE_RE = new RegExp(`[${Object.keys(LIGATURES).join('')}]`, 'gu');
const WIDTH_RE = /[\u3000\uff01-\uffef]/g;
const SINGLE_QUOTE_RE = /[\u02bc\u2018-\u201b]/g;
const DOUBLE_QUOTE_RE = /[\u201c-\u201f]/g;
const LINE_BREAK_RE = /\r\n|\r|\u2028|\u2029|\x85/g;
// ftfy CONTROL_CHARS: U+0000–0008, 000B, 000E–001F, 007F, 206A–206F, FEFF, FFF9–FFFC
const CONTROL_RE = /[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc]/g;
// ftfy's own HTML step: only complete `&...;` references, and only when the text has no '<'.
const FTFY_ENTITY_RE = /&#?[0-9A-Za-z]{1,24};/g;

function ftfyUnescapeHtml(text: string): string {
  return text.replace(FTFY_ENTITY_RE, (m) => {
    const name = m.slice(1);
    const exact = HTML5_ENTITIES[name];
    if (exact !== undefined) return exact;
    // ftfy also decodes upper-cased names of lower-case entities (&NTILDE; → Ñ) when unambiguous
    const lower = name.toLowerCase();
    const viaLower = HTML5_ENTITIES[lower];
    if (viaLower !== undefined && lower !== name && name === lower.toUpperCase() && htmlUnescape(m) === m) {
      return viaLower.toUpperCase();
    }
    if (m.startsWith('&#')) {
      const u = htmlUnescape(m);
      return u.includes(';') ? m : u;
    }
    return m;
  });
}

function fixWidth(text: string): string {
  return text.replace(WIDTH_RE, (c) => (c === '\u3000' ? ' ' : c.normalize('NFKC')));
}

function ftfyFixSegment(input: string, unescapeHtml: boolean): string {
  let text = input;
  for (let iter = 0; iter < 64; iter++) {
    const before = text;
    if (unescapeHtml) text = ftfyUnescapeHtml(text);
    text = fixMojibake(text);
    text = text.replace(C1_RE, (c) => String.fromCodePoint(CP1252_HIGH[c.charCodeAt(0) - 0x80]));
    text = text.replace(LIGATURE_RE, (c) => LIGATURES[c]);
    text = fixWidth(text);
    text = text.replace(SINGLE_QUOTE_RE, "'").replace(DOUBLE_QUOTE_RE, '"');
    text = text.replace(LINE_BREAK_RE, '\n');
    text = text.replace(TERMINAL_ESCAPE_RE, '');
    text = text.replace(CONTROL_RE, '');
    text = text.normalize('NFC');
    if (text === before) break;
  }
  return text;
}

/**
 * The deterministic subset of `ftfy.fix_text` with its default configuration (see the file comment):
 * line by line; once a line contains '<', HTML entities are left alone from that line on (ftfy's
 * unescape_html="auto"); each line is fixed repeatedly until it no longer changes.
 */
export function ftfyFixText(input: string): string {
  let unescapeHtml = true;
  let out = '';
  let pos = 0;
  while (pos < input.length) {
    const nl = input.indexOf('\n', pos);
    const end = nl < 0 ? input.length : nl + 1;
    const segment = input.slice(pos, end);
    if (segment.includes('<')) unescapeHtml = false;
    out += ftfyFixSegment(segment, unescapeHtml);
    pos = end;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// transformers' CLIPTokenizer clean-up (what ComfyUI actually runs)
// ---------------------------------------------------------------------------------------------

/**
 * How text is cleaned before the CLIP pre-tokenizer regex:
 *  - 'openai':   openai/CLIP SimpleTokenizer: whitespace_clean(basic_clean(t)).lower() — ftfy + html.unescape ×2
 *                (the reference goldens; also what ComfyUI gives when ftfy is installed, except that
 *                transformers does not html-unescape beyond ftfy's own step).
 *  - 'hf-ftfy':  transformers CLIPTokenizer with ftfy installed: whitespace_clean(ftfy.fix_text(t)).lower().
 *  - 'hf-basic': transformers CLIPTokenizer WITHOUT ftfy (a stock ComfyUI install: ftfy is not in its
 *                requirements): BERT BasicTokenizer(strip_accents=False, do_split_on_punc=False) —
 *                drops control/format characters (category C*, e.g. U+200D ZWJ) and U+FFFD, maps Zs/\t\n\r
 *                to spaces, puts spaces around CJK ideographs, NFC, lower-cases, joins words with ' '.
 */
export type CleanMode = 'openai' | 'hf-ftfy' | 'hf-basic';

const CONTROL_CAT_RE = /\p{C}/u;
const ZS_RE = /\p{Zs}/u;

function isCjkIdeograph(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** transformers BasicTokenizer.tokenize (as CLIPTokenizer configures it), words joined by ' '. */
export function hfBasicClean(text: string): string {
  let cleaned = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ZS_RE.test(ch)) {
      cleaned += ' ';
      continue;
    }
    if (cp === 0 || cp === 0xfffd || CONTROL_CAT_RE.test(ch)) continue;
    cleaned += isCjkIdeograph(cp) ? ` ${ch} ` : ch;
  }
  const words = pyStrip(cleaned.normalize('NFC'))
    .split(new RegExp(`[${PY_STRIP_WS}]+`, 'u'))
    .filter((w) => w !== '');
  return words.map((w) => w.toLowerCase()).join(' ');
}

/** The text the CLIP regex runs on, for a clean-up mode. */
export function cleanForClip(text: string, mode: CleanMode = 'openai'): string {
  switch (mode) {
    case 'openai':
      return clipNormalize(text);
    case 'hf-ftfy':
      return whitespaceClean(ftfyFixText(text)).toLowerCase();
    case 'hf-basic':
      return hfBasicClean(text);
  }
}
