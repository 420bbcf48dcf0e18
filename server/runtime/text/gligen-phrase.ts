/**
 * GLIGENTextBoxApply's phrase embedding: ComfyUI's clip.encode_from_tokens(tokens, return_pooled="unprojected"),
 * the final-LayerNorm EOS token of the first 77-token chunk, before text_projection (whatever CLIPSetLastLayer says).
 */
import type { ModelCache } from '../model-cache';
import type { ClipHandle } from '../handles';
import { textEncoderFor } from '../models/cached';
import { loadClipTokenizer, OPENCLIP_SPECIAL_TOKENS, SD1_SPECIAL_TOKENS, tokenizeWeighted } from '.';

const PAD: Readonly<Record<string, number>> = { sd1: SD1_SPECIAL_TOKENS.pad, sd2: OPENCLIP_SPECIAL_TOKENS.pad };

export async function encodePhrase(models: ModelCache, clip: ClipHandle, text: string): Promise<Float32Array> {
  const pad = PAD[clip.family];
  const tower = clip.towers.clip;
  // GLIGEN models exist for SD1 (and its 768-wide phrase embeddings); SDXL's two towers have no single pooled phrase
  if (pad === undefined || !tower) throw new Error(`GLIGEN phrases need an SD1/SD2 text encoder; this CLIP is ${clip.family}`);
  const enc = await textEncoderFor(models, tower, `${clip.key}/clip`, clip.activations?.clip);
  const { chunks } = tokenizeWeighted(text, { tokenizer: loadClipTokenizer(clip.vocab), padToken: pad, maxLength: enc.config.positions });
  const { eosPooled } = await enc.encode(chunks[0].ids, { eosPooled: true });
  if (!eosPooled) throw new Error('GLIGEN phrase: the text encoder gave no pooled output');
  return eosPooled.data.slice(0, enc.config.width);
}
