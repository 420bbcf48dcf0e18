import type { RandomUNetSpec } from '../../tests/helpers/random-models';

/** SD1.5's UNet shape (ldm v1-inference.yaml), for the benches' random-weight models. */
export const SD15_UNET: RandomUNetSpec = {
  inChannels: 4,
  modelChannels: 320,
  channelMult: [1, 2, 4, 4],
  numResBlocks: 2,
  attentionLevels: [0, 1, 2],
  depth: 1,
  contextDim: 768,
  linearProjection: false,
};
