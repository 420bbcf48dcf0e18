import type { Workflow } from './workflow';

/** The text-to-image graph a first start opens with. */
export const DEFAULT_WORKFLOW: Workflow = {
  format: 'latentloom.workflow',
  version: 2,
  nodes: {
    ckpt: { type: 'CheckpointLoaderSimple', version: 1, params: { ckpt_name: '' }, inputs: {}, ui: { x: 0, y: 160 } },
    pos: {
      type: 'CLIPTextEncode',
      version: 1,
      params: { text: 'a photograph of a (red fox:1.2) in the snow, detailed' },
      inputs: { clip: { node: 'ckpt', output: 'CLIP' } },
      ui: { x: 340, y: 0 },
    },
    neg: {
      type: 'CLIPTextEncode',
      version: 1,
      params: { text: 'blurry, low quality' },
      inputs: { clip: { node: 'ckpt', output: 'CLIP' } },
      ui: { x: 340, y: 250 },
    },
    latent: { type: 'EmptyLatentImage', version: 1, params: { width: 512, height: 512, batch_size: 1 }, inputs: {}, ui: { x: 340, y: 480 } },
    sampler: {
      type: 'KSampler',
      version: 1,
      params: { seed: 0, steps: 20, cfg: 8, sampler_name: 'euler', scheduler: 'normal', denoise: 1 },
      inputs: {
        model: { node: 'ckpt', output: 'MODEL' },
        positive: { node: 'pos', output: 'CONDITIONING' },
        negative: { node: 'neg', output: 'CONDITIONING' },
        latent_image: { node: 'latent', output: 'LATENT' },
      },
      ui: { x: 700, y: 120 },
    },
    decode: {
      type: 'VAEDecode',
      version: 1,
      params: {},
      inputs: { samples: { node: 'sampler', output: 'LATENT' }, vae: { node: 'ckpt', output: 'VAE' } },
      ui: { x: 1060, y: 120 },
    },
    save: {
      type: 'SaveImage',
      version: 1,
      params: { filename_prefix: 'LatentLoom' },
      inputs: { images: { node: 'decode', output: 'IMAGE' } },
      ui: { x: 1400, y: 120 },
    },
  },
};
