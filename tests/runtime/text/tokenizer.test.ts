import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { describeGolden, golden } from '../../helpers/golden';
import { readGoldenTensors } from '../../helpers/read-golden';
import {
  bytesToUnicode,
  ClipTokenizer,
  CLIP_VOCAB_FILE,
  findVocabulary,
  loadClipTokenizer,
  MissingVocabularyError,
  vocabularySearchDirs,
} from '../../../server/runtime/text/tokenizer';
import {
  basicClean,
  cleanForClip,
  clipNormalize,
  fixMojibake,
  ftfyFixText,
  hfBasicClean,
  htmlUnescape,
  whitespaceClean,
} from '../../../server/runtime/text/text-clean';

interface TokenizerCase {
  text: string;
  ids: number[];
  padded77: number[];
  openai_tokenize77: number[];
  n_tokens: number;
  decoded: string;
}

describe('bytes_to_unicode', () => {
  it('maps 256 bytes to 256 distinct printable characters, printable ASCII to itself', () => {
    const m = bytesToUnicode();
    expect(m).toHaveLength(256);
    expect(new Set(m.map(([, c]) => c)).size).toBe(256);
    expect(m[0]).toEqual([0x21, '!']);
    const byByte = new Map(m);
    expect(byByte.get(0x20)).toBe('\u0120'); // space → Ġ
    expect(byByte.get(0x0a)).toBe('\u010a');
    expect(byByte.get(0xad)).toBe('\u0143');
  });
});

describe('text clean-up (basic_clean / whitespace_clean)', () => {
  it('unescapes HTML twice like html.unescape(html.unescape(...))', () => {
    expect(htmlUnescape('&amp;amp; &lt;b&gt; &#x41;&#66; &copy &notit; &#128;')).toBe('&amp; <b> AB © ¬it; €');
    expect(basicClean('&amp;amp;lt;')).toBe('<');
    expect(htmlUnescape('&#xD800; &#0; &#1;x')).toBe('\ufffd \ufffd x');
  });
  it('collapses Python \\s runs and strips', () => {
    expect(whitespaceClean(' a \t\n\u3000b\u00a0 c ')).toBe('a b c');
    expect(whitespaceClean('a\ufeffb')).toBe('a\ufeffb'); // not Python regex whitespace
  });
  it('fixes mojibake, widths, ligatures, curly quotes, controls (ftfy defaults)', () => {
    expect(fixMojibake('cafÃ©')).toBe('café');
    expect(fixMojibake('Ångström naïve')).toBe('Ångström naïve');
    expect(ftfyFixText('â€œquotedâ€\u009d')).toBe('"quoted"');
    expect(ftfyFixText('ｆｕｌｌ\u3000ＡＢＣ：')).toBe('full ABC:');
    expect(ftfyFixText('\ufb01ne \u2018x\u2019 \u201cy\u201d a\u0000b\u001bc')).toBe('fine \'x\' "y" abc');
    expect(ftfyFixText('e\u0301')).toBe('\u00e9');
    expect(clipNormalize('  A  PHOTO\r\nOF &amp; ')).toBe('a photo of &');
  });
});

describe('transformers CLIPTokenizer clean-up modes (what ComfyUI runs)', () => {
  it('hf-basic (no ftfy): BasicTokenizer spacing of CJK ideographs, C* removed, no HTML unescape', () => {
    expect(hfBasicClean('日本語のテキスト')).toBe('日 本 語 のテキスト');
    expect(hfBasicClean('  A\u00a0B\tC\r\nD  ')).toBe('a b c d');
    expect(hfBasicClean('x\u200dy\u0000z\ufffd')).toBe('xyz');
    expect(hfBasicClean('&amp; ＡＢＣ cafÃ©')).toBe('&amp; ａｂｃ cafã©');
    expect(cleanForClip('Tom &amp; Jerry', 'hf-basic')).toBe('tom &amp; jerry');
  });
  it('hf-ftfy: ftfy + whitespace_clean + lower, without the extra html.unescape', () => {
    expect(cleanForClip('Tom &amp;amp; Jerry', 'hf-ftfy')).toBe('tom & jerry'); // ftfy repeats until stable
    expect(cleanForClip('<b> &amp;', 'hf-ftfy')).toBe('<b> &amp;'); // ftfy leaves entities alone when '<' is present
    expect(cleanForClip('<b> &amp;', 'openai')).toBe('<b> &'); // SimpleTokenizer's html.unescape does not
    expect(ftfyFixText('&amp;\n<b>&amp;\n&amp;')).toBe('&\n<b>&amp;\n&amp;'); // per line, sticky once '<' is seen
  });
});

describe('vocabulary lookup', () => {
  it('names the file and every folder searched when the vocabulary is missing', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'loom-vocab-'));
    const a = path.join(dir, 'models', 'clip');
    const b = path.join(dir, 'checkpoints');
    let err: unknown;
    try {
      findVocabulary([a, b]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MissingVocabularyError);
    const msg = (err as Error).message;
    expect(msg).toContain(CLIP_VOCAB_FILE);
    expect(msg).toContain('vocab.json + merges.txt');
    expect(msg).toContain(a);
    expect(msg).toContain(b);
    expect(msg).toContain('LOOM_CLIP_VOCAB');
    expect((err as MissingVocabularyError).searched).toEqual([a, b]);
  });

  it('loadClipTokenizer throws the same error when nothing is found', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'loom-vocab-'));
    expect(() => loadClipTokenizer({ modelsDir: dir, env: {} })).toThrow(MissingVocabularyError);
    expect(() => loadClipTokenizer({ modelsDir: dir, env: { NODE_ENV: 'test', LOOM_GOLDEN_DIR: dir } })).toThrow(path.join(dir, 'clip'));
    expect(() => loadClipTokenizer({ modelsDir: dir, env: {} })).toThrow(`Put ${CLIP_VOCAB_FILE}`);
    expect(() => loadClipTokenizer({ modelsDir: dir, env: {} })).toThrow(path.join(dir, 'clip'));
  });

  it('search order: LOOM_CLIP_VOCAB, <models>/clip, the checkpoint folder', () => {
    const dirs = vocabularySearchDirs({
      modelsDir: '/data/models',
      checkpointPath: '/data/models/checkpoints/sd15.safetensors',
      env: { LOOM_CLIP_VOCAB: '/x/bpe_simple_vocab_16e6.txt.gz' },
    });
    expect(dirs).toEqual(['/x/bpe_simple_vocab_16e6.txt.gz', '/data/models/clip', '/data/models/checkpoints']);
    expect(vocabularySearchDirs({ modelsDir: '/m', env: {} })).toEqual(['/m/clip']);
    expect(vocabularySearchDirs({ modelsDir: '/m', env: { NODE_ENV: 'production', LOOM_GOLDEN_DIR: '/g' } })).toEqual(['/m/clip']);
    // development/test only: the reference data beside the checkout
    expect(vocabularySearchDirs({ modelsDir: '/m', env: { NODE_ENV: 'development', LOOM_GOLDEN_DIR: '/g' } })).toEqual(['/m/clip', '/g/clip']);
  });
});

describeGolden('CLIP tokenizer vs openai SimpleTokenizer goldens', () => {
  const cases = JSON.parse(readFileSync(golden('clip', 'tokenizer_cases.json'), 'utf8')) as TokenizerCase[];
  const tok = loadClipTokenizer([golden('clip')]);

  it('has 40 cases', () => {
    expect(cases).toHaveLength(40);
  });

  it.each(cases.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    const ids = tok.encodeWithSpecialTokens(c.text);
    expect(ids).toEqual(c.ids);
    expect(ids.length).toBe(c.n_tokens);
    expect(Array.from(tok.tokenize(c.text))).toEqual(c.padded77);
    expect(Array.from(tok.tokenize(c.text, { padToken: 0 }))).toEqual(c.openai_tokenize77);
    expect(tok.decode(ids.slice(1, -1))).toBe(c.decoded);
  });

  it('finds the vocabulary through LOOM_CLIP_VOCAB (a file path)', () => {
    const dirs = vocabularySearchDirs({ modelsDir: '/nonexistent', env: { LOOM_CLIP_VOCAB: golden('clip', CLIP_VOCAB_FILE) } });
    expect(findVocabulary(dirs)).toEqual({ kind: 'bpe-gz', files: [golden('clip', CLIP_VOCAB_FILE)] });
  });

  it('finds it in a models/clip folder and next to a checkpoint (tokenizer/ subfolder too)', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'loom-vocab-'));
    const clipDir = path.join(root, 'models', 'clip');
    mkdirSync(clipDir, { recursive: true });
    copyFileSync(golden('clip', CLIP_VOCAB_FILE), path.join(clipDir, CLIP_VOCAB_FILE));
    const src = findVocabulary(vocabularySearchDirs({ modelsDir: path.join(root, 'models'), env: {} }));
    expect(src.files[0]).toBe(path.join(clipDir, CLIP_VOCAB_FILE));

    const ckDir = path.join(root, 'ck', 'tokenizer');
    mkdirSync(ckDir, { recursive: true });
    copyFileSync(golden('clip', CLIP_VOCAB_FILE), path.join(ckDir, CLIP_VOCAB_FILE));
    const src2 = findVocabulary(
      vocabularySearchDirs({ modelsDir: path.join(root, 'none'), checkpointPath: path.join(root, 'ck', 'm.safetensors'), env: {} }),
    );
    expect(src2.files[0]).toBe(path.join(ckDir, CLIP_VOCAB_FILE));
  });

  it('the Hugging Face vocab.json + merges.txt form gives the same ids', () => {
    const merges = gunzipSync(readFileSync(golden('clip', CLIP_VOCAB_FILE))).toString('utf8');
    const vocab: Record<string, number> = {};
    for (const [k, v] of tok.encoder) vocab[k] = v;
    const dir = mkdtempSync(path.join(tmpdir(), 'loom-hf-'));
    writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(vocab));
    const lines = merges.split('\n').slice(1, 49152 - 256 - 2 + 1);
    writeFileSync(path.join(dir, 'merges.txt'), `#version: 0.2\n${lines.join('\n')}\n`);
    const src = findVocabulary([dir]);
    expect(src.kind).toBe('hf');
    const hf = ClipTokenizer.fromSource(src);
    for (const c of cases) expect(hf.encodeWithSpecialTokens(c.text)).toEqual(c.ids);
  });

  it('matches the input ids stored in the tiny-sd1 and tiny-sdxl goldens', async () => {
    const prompts = ['a photo of a cat', ''];
    const sd1 = await readGoldenTensors(golden('tiny-sd1', 'golden.safetensors'));
    const ids1 = sd1.get('clip.input_ids')!;
    expect(ids1.shape).toEqual([2, 77]);
    prompts.forEach((p, b) => expect(Array.from(tok.tokenize(p))).toEqual(Array.from(ids1.data.subarray(b * 77, b * 77 + 77))));
    const xl = await readGoldenTensors(golden('tiny-sdxl', 'golden.safetensors'));
    const l = xl.get('clip_l.input_ids')!;
    const g = xl.get('clip_g.input_ids')!;
    prompts.forEach((p, b) => {
      expect(Array.from(tok.tokenize(p))).toEqual(Array.from(l.data.subarray(b * 77, b * 77 + 77)));
      expect(Array.from(tok.tokenize(p, { padToken: 0 }))).toEqual(Array.from(g.data.subarray(b * 77, b * 77 + 77)));
    });
  });

  it('clean modes agree on plain ASCII prompts and differ where documented', () => {
    for (const c of cases.slice(0, 13)) {
      expect(tok.encode(c.text, 'hf-basic')).toEqual(c.ids.slice(1, -1));
      expect(tok.encode(c.text, 'hf-ftfy')).toEqual(c.ids.slice(1, -1));
    }
    expect(tok.encode('日本', 'hf-basic')).toEqual([...tok.encode('日'), ...tok.encode('本')]);
    expect(tok.encode('日本', 'hf-basic')).not.toEqual(tok.encode('日本'));
  });

  it('in development the default search finds the shared reference vocabulary', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'loom-vocab-'));
    const t = loadClipTokenizer({ modelsDir: empty, env: { NODE_ENV: 'test', LOOM_GOLDEN_DIR: path.dirname(golden('clip')) } });
    expect(t).toBe(tok);
  });

  it('caches BPE results and the loaded tokenizer', () => {
    expect(loadClipTokenizer([golden('clip')])).toBe(tok);
    expect(tok.bpe('hello')).toBe(tok.bpe('hello'));
  });
});
