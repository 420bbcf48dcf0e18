import { describe, expect, it } from 'vitest';
import { REGISTRY } from '@/nodes/registry';
import { matchTier, rankNodes, Tier, words } from '@/app/lib/nodeSearch';

const schemas = REGISTRY.list;
const top = (q: string, n = 3) =>
  rankNodes(schemas, q)
    .slice(0, n)
    .map((s) => s.id);

describe('node search', () => {
  it('splits class ids and titles into words', () => {
    expect(words('KSamplerAdvanced')).toEqual(['k', 'sampler', 'advanced']);
    expect(words('CLIPTextEncodeSDXL')).toEqual(['clip', 'text', 'encode', 'sdxl']);
    expect(words('Load Checkpoint')).toEqual(['load', 'checkpoint']);
  });

  it('ranks exact before prefix before words before description', () => {
    const ks = top('KSampler', 3);
    expect(ks[0]).toBe('KSampler');
    // every other id that starts with "KSampler" comes next (prefix tier), in any order
    expect(ks.slice(1).sort()).toEqual(['KSamplerAdvanced', 'KSamplerSelect']);
    expect(matchTier(schemas.find((s) => s.id === 'KSamplerSelect')!, 'KSampler')).toBe(Tier.Prefix);
    expect(top('ksampler adv', 1)).toEqual(['KSamplerAdvanced']);
    const vae = rankNodes(schemas, 'vae').map((s) => s.id);
    // names starting with "VAE" come before nodes that only mention a VAE in their description
    const lastNamed = Math.max(...['VAEDecode', 'VAEEncode', 'VAELoader'].map((id) => vae.indexOf(id)));
    const firstOther = vae.findIndex((id) => !/^VAE/.test(id) && matchTier(schemas.find((s) => s.id === id)!, 'vae')! >= Tier.Words);
    expect(lastNamed).toBeLessThan(firstOther === -1 ? Infinity : firstOther);
    expect(matchTier(schemas.find((s) => s.id === 'KSampler')!, 'denoises')).toBe(Tier.Description);
  });

  it('matches ComfyUI class ids and display titles alike', () => {
    const ckpt = schemas.find((s) => s.id === 'CheckpointLoaderSimple')!;
    expect(matchTier(ckpt, 'CheckpointLoaderSimple')).toBe(Tier.Exact);
    expect(matchTier(ckpt, ckpt.title)).toBe(Tier.Exact);
    expect(top('load checkpoint', 1)).toEqual(['CheckpointLoaderSimple']);
    expect(top('checkpointloader', 1)).toEqual(['CheckpointLoaderSimple']);
    expect(rankNodes(schemas, 'no such node at all')).toEqual([]);
  });
});
