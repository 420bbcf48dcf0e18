import type { Workflow } from '../../nodes/workflow/schema';
import type { ValidationEnv } from '../../server/scheduler/validate';

export function txt2img(seed: number | string = 1): Workflow {
  return {
    format: 'latentloom.workflow',
    version: 1,
    nodes: {
      ckpt: { type: 'LoadCheckpoint', version: 1, params: { file: 'tiny-sd1.safetensors' }, inputs: {} },
      pos: { type: 'TextEncode', version: 1, params: { text: 'a cat' }, inputs: { clip: { node: 'ckpt', output: 'clip' } } },
      neg: { type: 'TextEncode', version: 1, params: { text: '' }, inputs: { clip: { node: 'ckpt', output: 'clip' } } },
      latent: { type: 'EmptyLatent', version: 1, params: { width: 64, height: 64, batch_size: 1 }, inputs: {} },
      sampler: {
        type: 'KSampler', version: 1, params: { seed, steps: 4 },
        inputs: {
          model: { node: 'ckpt', output: 'model' }, positive: { node: 'pos', output: 'conditioning' },
          negative: { node: 'neg', output: 'conditioning' }, latent_image: { node: 'latent', output: 'latent' },
        },
      },
      decode: { type: 'VAEDecode', version: 1, params: {}, inputs: { samples: { node: 'sampler', output: 'latent' }, vae: { node: 'ckpt', output: 'vae' } } },
      save: { type: 'SaveImage', version: 1, params: { filename_prefix: 'test' }, inputs: { images: { node: 'decode', output: 'image' } } },
    },
  };
}

export function fakeEnv(models: string[] = ['tiny-sd1.safetensors', 'other-model.safetensors'], available = true): ValidationEnv {
  return { listModels: () => models, inputFileExists: (n) => n === 'in.png', isAvailable: () => available };
}
