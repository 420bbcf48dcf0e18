import { describe, expect, it } from 'vitest';
import { validateWorkflow } from '../../server/scheduler/validate';
import type { ValidationCode } from '../../server/scheduler/errors';
import { fakeEnv, SCHEMAS, txt2img } from './fixtures';

const codes = (wf = txt2img(), env = fakeEnv()) => validateWorkflow(wf, SCHEMAS, env);
const only = (wf: ReturnType<typeof txt2img>, code: ValidationCode) => codes(wf).filter((e) => e.code === code);

describe('validateWorkflow', () => {
  it('accepts the text-to-image graph', () => {
    expect(codes()).toEqual([]);
  });

  it('MISSING_INPUT names node and input', () => {
    const wf = txt2img();
    delete wf.nodes.sampler.inputs.negative;
    expect(only(wf, 'MISSING_INPUT')).toMatchObject([{ nodeId: 'sampler', input: 'negative' }]);
  });

  it('TYPE_MISMATCH says what was expected', () => {
    const wf = txt2img();
    wf.nodes.sampler.inputs.positive = { node: 'ckpt', output: 'CLIP' };
    const [e] = only(wf, 'TYPE_MISMATCH');
    expect(e).toMatchObject({ nodeId: 'sampler', input: 'positive' });
    expect(e.message).toContain('CONDITIONING');
  });

  it('VALUE_OUT_OF_RANGE for ranges and seeds; a size ComfyUI floors to a multiple of 8 is accepted', () => {
    const wf = txt2img('18446744073709551616');
    wf.nodes.latent.params.width = 8;
    wf.nodes.latent.params.height = 65;
    wf.nodes.sampler.params.steps = 0;
    const errs = only(wf, 'VALUE_OUT_OF_RANGE').map((e) => `${e.nodeId}.${e.input}`);
    expect(errs.sort()).toEqual(['latent.width', 'sampler.seed', 'sampler.steps']);
  });

  it('accepts the largest 64-bit seed as a string', () => {
    expect(codes(txt2img('18446744073709551615'))).toEqual([]);
  });

  it('INVALID_OPTION for a sampler name', () => {
    const wf = txt2img();
    wf.nodes.sampler.params.sampler_name = 'eulr';
    expect(only(wf, 'INVALID_OPTION')).toMatchObject([{ nodeId: 'sampler', input: 'sampler_name' }]);
  });

  it('MODEL_NOT_FOUND suggests the closest names', () => {
    const wf = txt2img();
    wf.nodes.ckpt.params.ckpt_name = 'tiny-sd.safetensors';
    const [e] = only(wf, 'MODEL_NOT_FOUND');
    expect(e).toMatchObject({ nodeId: 'ckpt', input: 'ckpt_name' });
    expect(e.suggestions?.[0]).toBe('tiny-sd1.safetensors');
  });

  it('CYCLE marks the nodes on the cycle', () => {
    const wf = txt2img();
    wf.nodes.sampler.inputs.latent_image = { node: 'enc', output: 'LATENT' };
    wf.nodes.enc = {
      type: 'VAEEncode',
      version: 1,
      params: {},
      inputs: { pixels: { node: 'decode', output: 'IMAGE' }, vae: { node: 'ckpt', output: 'VAE' } },
    };
    expect(
      only(wf, 'CYCLE')
        .map((e) => e.nodeId)
        .sort(),
    ).toEqual(['decode', 'enc', 'sampler']);
  });

  it('UNKNOWN_NODE_TYPE names the type when an output needs it, and not otherwise', () => {
    const wf = txt2img();
    wf.nodes.x = {
      type: 'FancyUpscale',
      version: 1,
      params: {},
      inputs: { image: { node: 'decode', output: 'IMAGE' } },
      placeholder: { inputs: [{ name: 'image', type: 'IMAGE' }], outputs: [{ name: 'IMAGE', type: 'IMAGE' }], widgets_values: [] },
    };
    expect(only(wf, 'UNKNOWN_NODE_TYPE')).toEqual([]);
    wf.nodes.save.inputs.images = { node: 'x', output: '0' };
    expect(only(wf, 'UNKNOWN_NODE_TYPE')).toMatchObject([{ nodeId: 'x', message: expect.stringContaining('FancyUpscale') }]);
  });

  it('UNKNOWN_NODE_TYPE for a node saved with a newer schema version', () => {
    const wf = txt2img();
    wf.nodes.latent.version = 2;
    expect(only(wf, 'UNKNOWN_NODE_TYPE')).toMatchObject([{ nodeId: 'latent', message: expect.stringContaining('newer') }]);
  });

  it('NO_OUTPUT_NODE', () => {
    const wf = txt2img();
    delete wf.nodes.save;
    expect(only(wf, 'NO_OUTPUT_NODE')).toHaveLength(1);
  });

  it('BAD_LINK for a missing node, a missing output and an unknown input', () => {
    const wf = txt2img();
    wf.nodes.decode.inputs.vae = { node: 'nowhere', output: 'VAE' };
    wf.nodes.sampler.inputs.model = { node: 'ckpt', output: 'unet' };
    wf.nodes.save.inputs.mask = { node: 'decode', output: 'IMAGE' };
    expect(
      only(wf, 'BAD_LINK')
        .map((e) => `${e.nodeId}.${e.input}`)
        .sort(),
    ).toEqual(['decode.vae', 'sampler.model', 'save.mask']);
  });

  it('a 20,000-node cycle is found in linear time and reported in a bounded list', () => {
    const wf = txt2img();
    const C = 20000;
    for (let i = 0; i < C; i++) {
      wf.nodes[`y${i}`] = {
        type: 'CLIPSetLastLayer',
        version: 1,
        params: {},
        inputs: { clip: { node: i === 0 ? `y${C - 1}` : `y${i - 1}`, output: 'CLIP' } },
      };
    }
    wf.nodes.pos.inputs.clip = { node: `y${C - 1}`, output: 'CLIP' };
    const errs = codes(wf);
    expect(errs).toHaveLength(100);
    expect(errs.slice(0, 99).every((e) => e.code === 'CYCLE')).toBe(true);
    expect(errs[99].message).toMatch(/and 19901 more problems \(CYCLE\)/);
  });

  it('reports every error at once', () => {
    const wf = txt2img();
    wf.nodes.ckpt.params.ckpt_name = 'missing.safetensors';
    wf.nodes.sampler.params.cfg = 1000;
    delete wf.nodes.decode.inputs.vae;
    expect(new Set(codes(wf).map((e) => e.code))).toEqual(new Set(['MODEL_NOT_FOUND', 'VALUE_OUT_OF_RANGE', 'MISSING_INPUT']));
  });
});
