/** Workflows the pipeline tests run (shapes of public/workflows/text-to-image.json, tiny sizes). */
import type { Workflow } from '../../../nodes/workflow/schema';
import type { ParamValue } from '../../../nodes/types';
import { link } from './support';

type Nodes = Workflow['nodes'];
const node = (type: string, params: Record<string, ParamValue>, inputs: Record<string, { node: string; output: string }> = {}) => ({
  type,
  version: 1,
  params,
  inputs,
});

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
    ckpt: node('CheckpointLoaderSimple', { ckpt_name: o.checkpoint }),
    pos: node('CLIPTextEncode', { text: o.positive ?? 'a photo of a cat' }, { clip: link('ckpt', 'CLIP') }),
    neg: node('CLIPTextEncode', { text: o.negative ?? '' }, { clip: link('ckpt', 'CLIP') }),
    latent: node('EmptyLatentImage', { width: 64, height: 64, batch_size: o.batch ?? 1 }),
    sampler: node(
      'KSampler',
      { seed: o.seed, steps: o.steps ?? 6, cfg: o.cfg, sampler_name: 'euler', scheduler: 'normal', denoise: 1 },
      {
        model: link('ckpt', 'MODEL'),
        positive: link('pos', 'CONDITIONING'),
        negative: link('neg', 'CONDITIONING'),
        latent_image: link('latent', 'LATENT'),
      },
    ),
    decode: node('VAEDecode', {}, { samples: link('sampler', 'LATENT'), vae: link('ckpt', 'VAE') }),
    save: node('SaveImage', { filename_prefix: 'img' }, { images: link('decode', 'IMAGE') }),
    savelatent: node('SaveLatent', { filename_prefix: 'lat' }, { samples: link('sampler', 'LATENT') }),
  };
  return { format: 'latentloom.workflow', version: 2, nodes };
}

/** LoadLatent → KSamplerAdvanced(add_noise off) → SaveLatent. */
export function continueWorkflow(checkpoint: string, latentFile: string, cfg: number): Workflow {
  const nodes: Nodes = {
    ckpt: node('CheckpointLoaderSimple', { ckpt_name: checkpoint }),
    pos: node('CLIPTextEncode', { text: 'a photo of a cat' }, { clip: link('ckpt', 'CLIP') }),
    neg: node('CLIPTextEncode', { text: '' }, { clip: link('ckpt', 'CLIP') }),
    load: node('LoadLatent', { latent: latentFile }),
    sampler: node(
      'KSamplerAdvanced',
      {
        add_noise: 'disable',
        noise_seed: 0,
        steps: 6,
        cfg,
        sampler_name: 'euler',
        scheduler: 'normal',
        start_at_step: 0,
        end_at_step: 10000,
        return_with_leftover_noise: 'disable',
      },
      {
        model: link('ckpt', 'MODEL'),
        positive: link('pos', 'CONDITIONING'),
        negative: link('neg', 'CONDITIONING'),
        latent_image: link('load', 'LATENT'),
      },
    ),
    savelatent: node('SaveLatent', { filename_prefix: 'cont' }, { samples: link('sampler', 'LATENT') }),
  };
  return { format: 'latentloom.workflow', version: 2, nodes };
}

/** The same text-to-image as two KSamplerAdvanced halves: 0→split with leftover noise, then split→end without new noise. */
export function splitWorkflow(o: Txt2ImgOptions & { split: number }): Workflow {
  const wf = txt2imgWorkflow(o);
  const common = { steps: o.steps ?? 6, cfg: o.cfg, sampler_name: 'euler', scheduler: 'normal' };
  const inputs = (latentFrom: { node: string; output: string }) => ({
    model: link('ckpt', 'MODEL'),
    positive: link('pos', 'CONDITIONING'),
    negative: link('neg', 'CONDITIONING'),
    latent_image: latentFrom,
  });
  wf.nodes.first = node(
    'KSamplerAdvanced',
    {
      ...common,
      add_noise: 'enable',
      noise_seed: o.seed,
      start_at_step: 0,
      end_at_step: o.split,
      return_with_leftover_noise: 'enable',
    },
    inputs(link('latent', 'LATENT')),
  );
  wf.nodes.sampler = node(
    'KSamplerAdvanced',
    {
      ...common,
      add_noise: 'disable',
      noise_seed: 0,
      start_at_step: o.split,
      end_at_step: 10000,
      return_with_leftover_noise: 'disable',
    },
    inputs(link('first', 'LATENT')),
  );
  return wf;
}
