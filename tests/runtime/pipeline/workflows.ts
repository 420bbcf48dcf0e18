/** Workflows the pipeline tests run (shapes of public/workflows/text-to-image.json, tiny sizes). */
import type { Workflow } from '../../../nodes/workflow/schema';
import type { ParamValue } from '../../../nodes/types';
import { link } from './support';

type Nodes = Workflow['nodes'];
const node = (type: string, params: Record<string, ParamValue>, inputs: Record<string, { node: string; output: string }> = {}) =>
  ({ type, version: 1, params, inputs });

export interface Txt2ImgOptions {
  checkpoint: string;
  seed: number | string;
  cfg: number;
  positive?: string;
  negative?: string;
  steps?: number;
  batch?: number;
}

export function txt2imgWorkflow(o: Txt2ImgOptions): Workflow {
  const nodes: Nodes = {
    ckpt: node('LoadCheckpoint', { file: o.checkpoint, prediction: 'auto' }),
    pos: node('TextEncode', { text: o.positive ?? 'a photo of a cat' }, { clip: link('ckpt', 'clip') }),
    neg: node('TextEncode', { text: o.negative ?? '' }, { clip: link('ckpt', 'clip') }),
    latent: node('EmptyLatent', { width: 64, height: 64, batch_size: o.batch ?? 1 }),
    sampler: node(
      'KSampler',
      { seed: o.seed, steps: o.steps ?? 6, cfg: o.cfg, sampler_name: 'euler', scheduler: 'normal', denoise: 1 },
      { model: link('ckpt', 'model'), positive: link('pos', 'conditioning'), negative: link('neg', 'conditioning'), latent_image: link('latent', 'latent') },
    ),
    decode: node('VAEDecode', {}, { samples: link('sampler', 'latent'), vae: link('ckpt', 'vae') }),
    save: node('SaveImage', { filename_prefix: 'img' }, { images: link('decode', 'image') }),
    savelatent: node('SaveLatent', { filename_prefix: 'lat' }, { samples: link('sampler', 'latent') }),
  };
  return { format: 'latentloom.workflow', version: 1, nodes };
}

/** LoadLatent → KSamplerAdvanced(add_noise off) → SaveLatent. */
export function continueWorkflow(checkpoint: string, latentFile: string, cfg: number): Workflow {
  const nodes: Nodes = {
    ckpt: node('LoadCheckpoint', { file: checkpoint, prediction: 'auto' }),
    pos: node('TextEncode', { text: 'a photo of a cat' }, { clip: link('ckpt', 'clip') }),
    neg: node('TextEncode', { text: '' }, { clip: link('ckpt', 'clip') }),
    load: node('LoadLatent', { latent: latentFile }),
    sampler: node(
      'KSamplerAdvanced',
      {
        add_noise: false, noise_seed: 0, steps: 6, cfg, sampler_name: 'euler', scheduler: 'normal',
        start_at_step: 0, end_at_step: 10000, return_with_leftover_noise: false,
      },
      { model: link('ckpt', 'model'), positive: link('pos', 'conditioning'), negative: link('neg', 'conditioning'), latent_image: link('load', 'latent') },
    ),
    savelatent: node('SaveLatent', { filename_prefix: 'cont' }, { samples: link('sampler', 'latent') }),
  };
  return { format: 'latentloom.workflow', version: 1, nodes };
}

/** The same text-to-image as two KSamplerAdvanced halves: 0→split with leftover noise, then split→end without new noise. */
export function splitWorkflow(o: Txt2ImgOptions & { split: number }): Workflow {
  const wf = txt2imgWorkflow(o);
  const common = { steps: o.steps ?? 6, cfg: o.cfg, sampler_name: 'euler', scheduler: 'normal' };
  const inputs = (latentFrom: { node: string; output: string }) => ({
    model: link('ckpt', 'model'), positive: link('pos', 'conditioning'), negative: link('neg', 'conditioning'), latent_image: latentFrom,
  });
  wf.nodes.first = node('KSamplerAdvanced', {
    ...common, add_noise: true, noise_seed: o.seed, start_at_step: 0, end_at_step: o.split, return_with_leftover_noise: true,
  }, inputs(link('latent', 'latent')));
  wf.nodes.sampler = node('KSamplerAdvanced', {
    ...common, add_noise: false, noise_seed: 0, start_at_step: o.split, end_at_step: 10000, return_with_leftover_noise: false,
  }, inputs(link('first', 'latent')));
  return wf;
}
