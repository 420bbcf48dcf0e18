import { describe, expect, it } from 'vitest';
import { canConnect } from '../../nodes/connect';
import { SCHEMAS as SCHEMAS_BY_ID, txt2img } from '../scheduler/fixtures';

describe('canConnect', () => {
  const g = txt2img();
  it('allows a matching type', () => {
    expect(canConnect(g, { node: 'ckpt', output: 'VAE' }, { node: 'decode', input: 'vae' }, SCHEMAS_BY_ID)).toEqual({
      ok: true,
    });
  });
  it('refuses a type mismatch with a reason', () => {
    const r = canConnect(g, { node: 'ckpt', output: 'CLIP' }, { node: 'sampler', input: 'positive' }, SCHEMAS_BY_ID);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/CLIP.*CONDITIONING/);
  });
  it('refuses a self loop', () => {
    expect(canConnect(g, { node: 'sampler', output: 'LATENT' }, { node: 'sampler', input: 'latent_image' }, SCHEMAS_BY_ID).ok).toBe(false);
  });
  it('refuses a cycle', () => {
    const wf = txt2img();
    wf.nodes.enc = { type: 'VAEEncode', version: 1, params: {}, inputs: { pixels: { node: 'decode', output: 'IMAGE' } } };
    const r = canConnect(wf, { node: 'enc', output: 'LATENT' }, { node: 'sampler', input: 'latent_image' }, SCHEMAS_BY_ID);
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/cycle/) });
  });
  it('replaces an existing link into the same input', () => {
    const wf = txt2img();
    wf.nodes.latent2 = { type: 'EmptyLatentImage', version: 1, params: {}, inputs: {} };
    const r = canConnect(wf, { node: 'latent2', output: 'LATENT' }, { node: 'sampler', input: 'latent_image' }, SCHEMAS_BY_ID);
    expect(r).toEqual({ ok: true, replaces: { node: 'latent', output: 'LATENT' } });
  });
  it('links into a widget of the same value type (widget as input), and only a Primitive into widgets', () => {
    const wf = txt2img();
    wf.nodes.n = { type: 'PrimitiveInt', version: 1, params: { value: 3 }, inputs: {} };
    wf.nodes.p = { type: 'PrimitiveNode', version: 1, params: { value: 3 }, inputs: {} };
    expect(canConnect(wf, { node: 'n', output: 'INT' }, { node: 'sampler', input: 'steps' }, SCHEMAS_BY_ID).ok).toBe(true);
    expect(canConnect(wf, { node: 'n', output: 'INT' }, { node: 'sampler', input: 'cfg' }, SCHEMAS_BY_ID)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('INT output cannot feed FLOAT'),
    });
    expect(canConnect(wf, { node: 'p', output: 'connect to widget input' }, { node: 'sampler', input: 'cfg' }, SCHEMAS_BY_ID).ok).toBe(true);
    expect(canConnect(wf, { node: 'p', output: 'connect to widget input' }, { node: 'sampler', input: 'model' }, SCHEMAS_BY_ID)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('Primitive drives widgets'),
    });
  });

  it('a placeholder (unknown class) connects by its recorded slots', () => {
    const wf = txt2img();
    wf.nodes.x = {
      type: 'Custom',
      version: 1,
      params: {},
      inputs: {},
      placeholder: { inputs: [{ name: 'image', type: 'IMAGE' }], outputs: [{ name: 'IMAGE', type: 'IMAGE' }], widgets_values: [] },
    };
    expect(canConnect(wf, { node: 'decode', output: 'IMAGE' }, { node: 'x', input: 'image' }, SCHEMAS_BY_ID).ok).toBe(true);
    expect(canConnect(wf, { node: 'x', output: '0' }, { node: 'save', input: 'images' }, SCHEMAS_BY_ID)).toMatchObject({ ok: true });
    expect(canConnect(wf, { node: 'ckpt', output: 'VAE' }, { node: 'x', input: 'image' }, SCHEMAS_BY_ID).ok).toBe(false);
  });

  it('refuses unknown outputs and inputs', () => {
    expect(canConnect(g, { node: 'ckpt', output: 'unet' }, { node: 'sampler', input: 'model' }, SCHEMAS_BY_ID).ok).toBe(false);
    expect(canConnect(g, { node: 'ckpt', output: 'MODEL' }, { node: 'sampler', input: 'mdl' }, SCHEMAS_BY_ID).ok).toBe(false);
  });
});
