import { bool, defineSchema, float, out, seed, socket } from '../define';

export const schema = defineSchema({
  id: 'SamplerCustom',
  version: 1,
  title: 'SamplerCustom',
  category: 'sampling/custom_sampling',
  description: 'Samples a latent with CFG over explicit noise levels (SIGMAS) and a chosen SAMPLER; also outputs the last denoised estimate.',
  io: [
    socket('model', 'MODEL'),
    bool('add_noise', { default: true }),
    seed('noise_seed'),
    float('cfg', { min: 0, max: 100, step: 0.1, round: 0.01, default: 8 }),
    socket('positive', 'CONDITIONING'),
    socket('negative', 'CONDITIONING'),
    socket('sampler', 'SAMPLER'),
    socket('sigmas', 'SIGMAS'),
    socket('latent_image', 'LATENT'),
  ],
  outputs: [out('output', 'LATENT'), out('denoised_output', 'LATENT')],
});
