/** Text side of the runtime: CLIP tokenizer, ComfyUI prompt weighting/chunking, token-weight math. */
export * from './tokenizer';
export * from './prompt';
export { parseA1111Attention } from './prompt-a1111';
export * from './encode-weights';
export {
  basicClean,
  cleanForClip,
  clipNormalize,
  ftfyFixText,
  hfBasicClean,
  htmlUnescape,
  whitespaceClean,
  type CleanMode,
} from './text-clean';
