import { describe, expect, it } from 'vitest';
import { canConnect } from '../../nodes/connect';
import { SCHEMAS_BY_ID } from '../../nodes/schemas';
import { txt2img } from '../scheduler/fixtures';

describe('canConnect', () => {
  const g = txt2img();
  it('allows a matching type', () => {
    expect(canConnect(g, { node: 'ckpt', output: 'vae' }, { node: 'decode', input: 'vae' }, SCHEMAS_BY_ID)).toEqual({
      ok: true,
    });
  });
  it('refuses a type mismatch with a reason', () => {
    const r = canConnect(g, { node: 'ckpt', output: 'clip' }, { node: 'sampler', input: 'positive' }, SCHEMAS_BY_ID);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/CLIP.*CONDITIONING/);
  });
  it('refuses a self loop', () => {
    expect(canConnect(g, { node: 'sampler', output: 'latent' }, { node: 'sampler', input: 'latent_image' }, SCHEMAS_BY_ID).ok).toBe(false);
  });
  it('refuses a cycle', () => {
    const wf = txt2img();
    wf.nodes.enc = { type: 'VAEEncode', version: 1, params: {}, inputs: { pixels: { node: 'decode', output: 'image' } } };
    const r = canConnect(wf, { node: 'enc', output: 'latent' }, { node: 'sampler', input: 'latent_image' }, SCHEMAS_BY_ID);
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/cycle/) });
  });
  it('replaces an existing link into the same input', () => {
    const wf = txt2img();
    wf.nodes.latent2 = { type: 'EmptyLatent', version: 1, params: {}, inputs: {} };
    const r = canConnect(wf, { node: 'latent2', output: 'latent' }, { node: 'sampler', input: 'latent_image' }, SCHEMAS_BY_ID);
    expect(r).toEqual({ ok: true, replaces: { node: 'latent', output: 'latent' } });
  });
  it('refuses unknown outputs and inputs', () => {
    expect(canConnect(g, { node: 'ckpt', output: 'unet' }, { node: 'sampler', input: 'model' }, SCHEMAS_BY_ID).ok).toBe(false);
    expect(canConnect(g, { node: 'ckpt', output: 'model' }, { node: 'sampler', input: 'mdl' }, SCHEMAS_BY_ID).ok).toBe(false);
  });
});
