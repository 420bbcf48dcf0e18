import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importComfyApi, importComfyUi } from '../../nodes/workflow/comfy-import';
import { loadAnyWorkflow } from '../../nodes/workflow/load';
import { SCHEMAS_BY_ID } from '../../nodes/schemas';
import { validateWorkflow } from '../../server/scheduler/validate';
import { fakeEnv } from '../scheduler/fixtures';

/** ComfyUI's default graph in UI format (trimmed to what the importer reads). */
const UI = {
  last_node_id: 9,
  nodes: [
    { id: 4, type: 'CheckpointLoaderSimple', pos: [26, 474], widgets_values: ['tiny-sd1.safetensors'], outputs: [{ name: 'MODEL' }, { name: 'CLIP' }, { name: 'VAE' }] },
    { id: 6, type: 'CLIPTextEncode', pos: [415, 186], inputs: [{ name: 'clip', type: 'CLIP', link: 3 }], widgets_values: ['a cat'] },
    { id: 7, type: 'CLIPTextEncode', pos: [413, 389], inputs: [{ name: 'clip', type: 'CLIP', link: 5 }], widgets_values: ['ugly'] },
    { id: 5, type: 'EmptyLatentImage', pos: [473, 609], widgets_values: [512, 512, 1] },
    {
      id: 3, type: 'KSampler', pos: [863, 186],
      inputs: [{ name: 'model', link: 1 }, { name: 'positive', link: 4 }, { name: 'negative', link: 6 }, { name: 'latent_image', link: 2 }],
      widgets_values: [156680208700286, 'randomize', 20, 8, 'euler', 'normal', 1],
    },
    { id: 8, type: 'VAEDecode', pos: [1209, 188], inputs: [{ name: 'samples', link: 7 }, { name: 'vae', link: 8 }] },
    { id: 9, type: 'SaveImage', pos: [1451, 189], inputs: [{ name: 'images', link: 9 }], widgets_values: ['ComfyUI'] },
  ],
  links: [
    [1, 4, 0, 3, 0, 'MODEL'], [2, 5, 0, 3, 3, 'LATENT'], [3, 4, 1, 6, 0, 'CLIP'], [4, 6, 0, 3, 1, 'CONDITIONING'],
    [5, 4, 1, 7, 0, 'CLIP'], [6, 7, 0, 3, 2, 'CONDITIONING'], [7, 3, 0, 8, 0, 'LATENT'], [8, 4, 2, 8, 1, 'VAE'], [9, 8, 0, 9, 0, 'IMAGE'],
  ],
  version: 0.4,
};

const API = {
  '3': { class_type: 'KSamplerAdvanced', inputs: { add_noise: 'disable', noise_seed: 5, steps: 10, cfg: 7, sampler_name: 'dpmpp_2m', scheduler: 'karras', start_at_step: 0, end_at_step: 10000, return_with_leftover_noise: 'disable', model: ['10', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['11', 0] } },
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'tiny-sd1.safetensors' } },
  '5': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'other-model.safetensors' } },
  '10': { class_type: 'ModelMergeSimple', inputs: { model1: ['4', 0], model2: ['5', 0], ratio: 0.25 } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a cat', clip: ['4', 1] } },
  '7': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
  '11': { class_type: 'LoadLatent', inputs: { latent: 'in.latent' } },
  '9': { class_type: 'SaveLatent', inputs: { filename_prefix: 'latents/x', samples: ['3', 0] } },
};

const writeAndRead = (json: unknown) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'comfy-')), 'wf.json');
  fs.writeFileSync(file, JSON.stringify(json));
  return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
};

describe('ComfyUI import', () => {
  it('imports the UI format with positional widgets (skipping control_after_generate)', () => {
    const r = importComfyUi(writeAndRead(UI));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const n = r.workflow.nodes;
    expect(n['3']).toMatchObject({ type: 'KSampler', params: { seed: 156680208700286, steps: 20, cfg: 8, sampler_name: 'euler', scheduler: 'normal', denoise: 1 } });
    expect(n['3'].inputs).toEqual({
      model: { node: '4', output: 'model' }, positive: { node: '6', output: 'conditioning' },
      negative: { node: '7', output: 'conditioning' }, latent_image: { node: '5', output: 'latent' },
    });
    expect(n['8'].inputs.vae).toEqual({ node: '4', output: 'vae' });
    expect(n['4'].ui).toEqual({ x: 26, y: 474 });
    expect(validateWorkflow(r.workflow, SCHEMAS_BY_ID, fakeEnv())).toEqual([]);
  });

  it('imports the API prompt format, including merges and enable/disable flags', () => {
    const r = importComfyApi(writeAndRead(API));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const n = r.workflow.nodes;
    expect(n['3'].params).toMatchObject({ add_noise: false, noise_seed: 5, return_with_leftover_noise: false, scheduler: 'karras' });
    expect(n['10']).toMatchObject({ type: 'MergeCheckpoints', params: { mode: 'weighted_sum', model_ratio: 0.25 } });
    expect(n['10'].inputs).toEqual({ model_a: { node: '4', output: 'model' }, model_b: { node: '5', output: 'model' } });
    expect(validateWorkflow(r.workflow, SCHEMAS_BY_ID, { ...fakeEnv(), inputFileExists: () => true })).toEqual([]);
  });

  it('imports CLIPTextEncodeSDXL with its size widgets in ComfyUI order (UI and API formats)', () => {
    const widgets = [896, 1152, 16, 8, 1024, 768, 'a castle', 'oil painting'];
    const ui = {
      ...UI,
      nodes: UI.nodes.map((n) => (n.id === 6 ? { ...n, type: 'CLIPTextEncodeSDXL', widgets_values: widgets } : n)),
    };
    const r = importComfyUi(writeAndRead(ui));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const expected = { width: 896, height: 1152, crop_w: 16, crop_h: 8, target_width: 1024, target_height: 768, text_g: 'a castle', text_l: 'oil painting' };
    expect(r.workflow.nodes['6']).toMatchObject({ type: 'CLIPTextEncodeSDXL', params: expected, inputs: { clip: { node: '4', output: 'clip' } } });
    expect(r.workflow.nodes['3'].inputs.positive).toEqual({ node: '6', output: 'conditioning' });

    const api = { ...API, '6': { class_type: 'CLIPTextEncodeSDXL', inputs: { ...expected, clip: ['4', 1] } } };
    const a = importComfyApi(writeAndRead(api));
    if (!a.ok) throw new Error(a.errors.join('\n'));
    expect(a.workflow.nodes['6']).toMatchObject({ type: 'CLIPTextEncodeSDXL', params: expected });
  });

  it('reports unknown classes by name and node', () => {
    const api = { ...API, '12': { class_type: 'UpscaleModelLoader', inputs: { model_name: 'x' } } };
    const r = importComfyApi(api);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join()).toContain('UpscaleModelLoader" (node 12)');
    const ui = { ...UI, nodes: [...UI.nodes, { id: 20, type: 'ImageScale', pos: [0, 0] }] };
    expect(() => loadAnyWorkflow(ui)).toThrow(/ImageScale/);
  });

  it('loadAnyWorkflow detects each format', () => {
    expect(loadAnyWorkflow(UI).workflow.nodes['9'].type).toBe('SaveImage');
    expect(loadAnyWorkflow(API).workflow.nodes['9'].type).toBe('SaveLatent');
  });
});

describe('ComfyUI PNGs', () => {
  it('reads the graph from the "workflow" tEXt chunk ComfyUI writes', async () => {
    const { PNG } = await import('pngjs');
    const { insertITXt } = await import('../../nodes/_io/png');
    const { readAnyWorkflowFromPng } = await import('../../nodes/workflow/png-text');
    const png = PNG.sync.write(new PNG({ width: 1, height: 1 }));
    const r = readAnyWorkflowFromPng(insertITXt(png, 'workflow', JSON.stringify(UI)));
    expect(r?.workflow.nodes['3'].type).toBe('KSampler');
    expect(readAnyWorkflowFromPng(png)).toBeNull();
  });
});
