import { describe, expect, it } from 'vitest';
import { memoryProvider } from '../../helpers/model-weights';
import { randomClip, randomUNet, randomVae } from '../../helpers/random-models';
import { deriveUNetConfig } from '../../../server/runtime/checkpoint/arch/unet';
import { deriveClipConfig } from '../../../server/runtime/checkpoint/arch/clip';
import { deriveVaeConfig } from '../../../server/runtime/checkpoint/arch/vae';
import { buildUNet } from '../../../server/runtime/models/unet';
import { buildClip } from '../../../server/runtime/models/clip';
import { buildVaeDecoder } from '../../../server/runtime/models/vae';

const unetSpec = {
  inChannels: 4,
  modelChannels: 32,
  channelMult: [1, 2],
  numResBlocks: 1,
  attentionLevels: [1],
  depth: 1,
  contextDim: 16,
  linearProjection: false,
};

describe('checkpoints whose shapes fit no config are refused with the tensor named', () => {
  it('UNet: a ResBlock width that is not a multiple of model_channels', () => {
    const t = randomUNet(unetSpec);
    t.set('input_blocks.1.0.in_layers.2.weight', { shape: [33, 32, 3, 3], data: new Float32Array(33 * 32 * 9) });
    expect(() => deriveUNetConfig(memoryProvider(t, 'x'))).toThrow(/input_blocks\.1\.0\.in_layers\.2\.weight \[33,32,3,3\]/);
  });

  it('UNet: missing output conv', () => {
    const t = randomUNet(unetSpec);
    t.delete('out.2.weight');
    expect(() => deriveUNetConfig(memoryProvider(t, 'x'))).toThrow(/missing tensor out\.2\.weight/);
  });

  it('UNet: a 3-D proj_in is neither Linear nor conv', () => {
    const t = randomUNet(unetSpec);
    t.set('input_blocks.3.1.proj_in.weight', { shape: [64, 64, 1], data: new Float32Array(64 * 64) });
    expect(() => deriveUNetConfig(memoryProvider(t, 'x'))).toThrow(/input_blocks\.3\.1\.proj_in\.weight \[64,64,1\]/);
  });

  it('UNet: unused weights are an error naming them; a missing weight is named too', () => {
    const t = randomUNet(unetSpec);
    t.set('mystery.weight', { shape: [1], data: new Float32Array(1) });
    const p = memoryProvider(t, 'x');
    expect(() => buildUNet(p, deriveUNetConfig(p))).toThrow(/unet: 1 unused weight\(s\) in the checkpoint: mystery\.weight/);
    const t2 = randomUNet(unetSpec);
    t2.delete('middle_block.1.transformer_blocks.0.attn2.to_v.weight');
    const p2 = memoryProvider(t2, 'y');
    expect(() => buildUNet(p2, deriveUNetConfig(p2))).toThrow(/unet: missing weight middle_block\.1\.transformer_blocks\.0\.attn2\.to_v\.weight/);
  });

  it('CLIP: wrong in_proj shape, no known layout; position_ids and logit_scale are ignored', () => {
    const t = randomClip({ width: 64, layers: 1, intermediate: 128, vocab: 10, positions: 4, openclip: true });
    t.set('transformer.resblocks.0.attn.in_proj_weight', { shape: [64, 64], data: new Float32Array(64 * 64) });
    expect(() => deriveClipConfig(memoryProvider(t, 'x'))).toThrow(/in_proj_weight \[64,64\]/);
    expect(() => deriveClipConfig(memoryProvider(new Map(), 'x'))).toThrow(/token_embedding/);
    const hf = randomClip({ width: 64, layers: 1, intermediate: 128, vocab: 10, positions: 4 });
    hf.set('embeddings.position_ids', { shape: [1, 4], data: new Float32Array(4) });
    hf.set('logit_scale', { shape: [], data: new Float32Array(1) });
    const p = memoryProvider(hf, 'x');
    expect(() => buildClip(p, deriveClipConfig(p))).not.toThrow();
  });

  it('VAE: post_quant_conv that does not feed the decoder', () => {
    const t = randomVae({ ch: 32, chMult: [1, 2], numResBlocks: 1, zChannels: 4 });
    t.set('post_quant_conv.weight', { shape: [3, 4, 1, 1], data: new Float32Array(12) });
    expect(() => deriveVaeConfig(memoryProvider(t, 'x'))).toThrow(/post_quant_conv\.weight \[3,4,1,1\]/);
    const t2 = randomVae({ ch: 32, chMult: [1, 2], numResBlocks: 1, zChannels: 4 });
    t2.delete('decoder.up.1.upsample.conv.bias');
    const p = memoryProvider(t2, 'y');
    expect(() => buildVaeDecoder(p, deriveVaeConfig(p))).toThrow(/vae: missing weight decoder\.up\.1\.upsample\.conv\.bias/);
  });
});
