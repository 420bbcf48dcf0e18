/** ComfyUI UI-format import: every rule of "imports that keep everything", on graphs written the way ComfyUI saves them. */
import { describe, expect, it } from 'vitest';
import { executableGraph } from '../../../nodes/workflow/executable';
import { importComfyUi } from '../../../nodes/workflow/comfy/import-ui';
import { loadAnyWorkflow } from '../../../nodes/workflow/load';
import type { Workflow } from '../../../nodes/workflow/schema';
import { validateWorkflow } from '../../../server/scheduler/validate';
import { fakeEnv, SCHEMAS } from '../../scheduler/fixtures';
import { uiTxt2img } from './ui-builder';

function imported(json: unknown): { workflow: Workflow; warnings: string[] } {
  const r = importComfyUi(JSON.parse(JSON.stringify(json)), SCHEMAS);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r;
}
const exe = (wf: Workflow) => executableGraph(wf, SCHEMAS).workflow;
const errors = (wf: Workflow) => validateWorkflow(wf, SCHEMAS, fakeEnv());

describe('ComfyUI UI format: the basics', () => {
  it('keeps ids, class ids, names and widget order; control_after_generate goes to the editor state', () => {
    const { workflow } = imported(uiTxt2img().json());
    const n = workflow.nodes;
    expect(n['3']).toMatchObject({
      type: 'KSampler',
      params: { seed: 156680208700286, steps: 20, cfg: 8, sampler_name: 'euler', scheduler: 'normal', denoise: 1 },
    });
    expect(n['3'].ui?.seed_control).toEqual({ seed: 'randomize' });
    expect(n['3'].inputs).toEqual({
      model: { node: '4', output: 'MODEL' },
      positive: { node: '6', output: 'CONDITIONING' },
      negative: { node: '7', output: 'CONDITIONING' },
      latent_image: { node: '5', output: 'LATENT' },
    });
    expect(n['4'].ui).toMatchObject({ x: 0, y: 0, width: 300, height: 100 });
    expect(errors(workflow)).toEqual([]);
  });

  it('reads files from old frontends that stored no control_after_generate value', () => {
    const g = uiTxt2img();
    (g.nodes.find((x) => x.id === 3) as { widgets_values: unknown[] }).widgets_values = [7, 20, 8, 'euler', 'normal', 1];
    expect(imported(g.json()).workflow.nodes['3'].params).toMatchObject({ seed: 7, steps: 20, denoise: 1 });
  });

  it('keeps titles, groups and notes (Note and MarkdownNote are shown, never run)', () => {
    const g = uiTxt2img()
      .node(20, { type: 'Note', widgets: ['remember the seed'], title: 'Read me' })
      .node(21, { type: 'MarkdownNote', widgets: ['# Title'] });
    (g.nodes.find((x) => x.id === 6) as { title?: string }).title = 'Positive prompt';
    g.groups = [{ title: 'Prompts', bounding: [400, 150, 500, 450], color: '#3f789e', font_size: 24 }];
    const { workflow } = imported(g.json());
    expect(workflow.nodes['6'].title).toBe('Positive prompt');
    expect(workflow.nodes['20']).toMatchObject({ type: 'Note', title: 'Read me', params: { text: 'remember the seed' } });
    expect(workflow.nodes['21']).toMatchObject({ type: 'MarkdownNote', params: { text: '# Title' } });
    expect(workflow.groups).toEqual([{ title: 'Prompts', bounding: [400, 150, 500, 450], color: '#3f789e', font_size: 24 }]);
    expect(exe(workflow).nodes['20']).toBeUndefined();
    expect(errors(workflow)).toEqual([]);
  });

  it('a Reroute (even a chain of them) becomes a plain wire', () => {
    const g = uiTxt2img()
      .node(30, { type: 'Reroute', inputs: [['', '*']], outputs: [['', 'VAE']] })
      .node(31, { type: 'Reroute', inputs: [['', '*']], outputs: [['', 'VAE']] });
    g.links.splice(
      g.links.findIndex((l) => l[1] === 4 && l[2] === 2),
      1,
    );
    g.link(4, 2, 30, 0, 'VAE').link(30, 0, 31, 0, 'VAE').link(31, 0, 8, 1, 'VAE');
    const { workflow } = imported(g.json());
    expect(workflow.nodes['30']).toBeUndefined();
    expect(workflow.nodes['8'].inputs.vae).toEqual({ node: '4', output: 'VAE' });
    expect(errors(workflow)).toEqual([]);
  });

  it('a PrimitiveNode driving several widgets keeps driving all of them; its value reaches each before a run', () => {
    const g = uiTxt2img().node(40, { type: 'PrimitiveNode', widgets: [48, 'fixed'], outputs: [['INT', 'INT']] });
    const latent = g.nodes.find((x) => x.id === 5) as { inputs: unknown[] };
    latent.inputs = [
      { name: 'width', type: 'INT', link: null, widget: { name: 'width' } },
      { name: 'height', type: 'INT', link: null, widget: { name: 'height' } },
    ];
    g.link(40, 0, 5, 0, 'INT').link(40, 0, 5, 1, 'INT');
    const { workflow } = imported(g.json());
    expect(workflow.nodes['40']).toMatchObject({ type: 'PrimitiveNode', params: { value: 48 }, ui: { seed_control: { value: 'fixed' } } });
    expect(workflow.nodes['5'].inputs).toEqual({
      width: { node: '40', output: 'connect to widget input' },
      height: { node: '40', output: 'connect to widget input' },
    });
    const run = exe(workflow);
    expect(run.nodes['40']).toBeUndefined();
    expect(run.nodes['5'].params).toMatchObject({ width: 48, height: 48 });
    expect(run.nodes['5'].inputs).toEqual({});
    expect(errors(workflow)).toEqual([]);
  });

  it('a widget converted to an input takes its value from a linked node (PrimitiveInt → seed)', () => {
    const g = uiTxt2img().node(41, { type: 'PrimitiveInt', widgets: [1234, 'fixed'], outputs: [['INT', 'INT']] });
    const ks = g.nodes.find((x) => x.id === 3) as { inputs: unknown[] };
    ks.inputs.push({ name: 'seed', type: 'INT', link: null, widget: { name: 'seed' } });
    g.link(41, 0, 3, 4, 'INT');
    const { workflow } = imported(g.json());
    expect(workflow.nodes['3'].inputs.seed).toEqual({ node: '41', output: 'INT' });
    expect(workflow.nodes['41']).toMatchObject({ type: 'PrimitiveInt', params: { value: 1234 } });
    expect(errors(workflow)).toEqual([]);
    // a STRING into an INT widget is refused by name
    const bad = structuredClone(workflow);
    bad.nodes['42'] = { type: 'PrimitiveString', version: 1, params: { value: 'x' }, inputs: {} };
    bad.nodes['3'].inputs.seed = { node: '42', output: 'STRING' };
    expect(errors(bad)).toMatchObject([{ code: 'TYPE_MISMATCH', nodeId: '3', input: 'seed' }]);
  });
});

describe('ComfyUI node modes', () => {
  it('muted (2) never runs; what needed it reports the muted source', () => {
    const g = uiTxt2img();
    (g.nodes.find((x) => x.id === 7) as { mode: number }).mode = 2;
    const { workflow } = imported(g.json());
    expect(workflow.nodes['7'].mode).toBe('muted');
    expect(exe(workflow).nodes['7']).toBeUndefined();
    expect(errors(workflow)).toMatchObject([
      { code: 'MISSING_INPUT', nodeId: '3', input: 'negative', message: expect.stringContaining('"7" is muted') },
    ]);
  });

  it('a muted output node is simply not run', () => {
    const g = uiTxt2img()
      .node(12, { type: 'PreviewImage', inputs: [['images', 'IMAGE']], mode: 2 })
      .link(8, 0, 12, 0, 'IMAGE');
    const { workflow } = imported(g.json());
    expect(errors(workflow)).toEqual([]);
    expect(Object.keys(exe(workflow).nodes)).not.toContain('12');
  });

  it('bypassed (4) passes its input of the matching type through (a LoRA loader between checkpoint and sampler)', () => {
    const g = uiTxt2img().node(10, {
      type: 'LoraLoader',
      widgets: ['missing-lora.safetensors', 1, 1],
      mode: 4,
      inputs: [
        ['model', 'MODEL'],
        ['clip', 'CLIP'],
      ],
      outputs: [
        ['MODEL', 'MODEL'],
        ['CLIP', 'CLIP'],
      ],
    });
    g.links.splice(0, g.links.length);
    g.link(4, 0, 10, 0, 'MODEL')
      .link(4, 1, 10, 1, 'CLIP')
      .link(10, 0, 3, 0, 'MODEL')
      .link(10, 1, 6, 0, 'CLIP')
      .link(10, 1, 7, 0, 'CLIP')
      .link(6, 0, 3, 1, 'CONDITIONING')
      .link(7, 0, 3, 2, 'CONDITIONING')
      .link(5, 0, 3, 3, 'LATENT')
      .link(3, 0, 8, 0, 'LATENT')
      .link(4, 2, 8, 1, 'VAE')
      .link(8, 0, 9, 0, 'IMAGE');
    const { workflow } = imported(g.json());
    expect(workflow.nodes['10'].mode).toBe('bypassed');
    const run = exe(workflow);
    expect(run.nodes['10']).toBeUndefined();
    expect(run.nodes['3'].inputs.model).toEqual({ node: '4', output: 'MODEL' });
    expect(run.nodes['6'].inputs.clip).toEqual({ node: '4', output: 'CLIP' });
    // its missing LoRA file does not matter: it does not run
    expect(errors(workflow)).toEqual([]);
  });
});

describe('ComfyUI subgraphs and group nodes', () => {
  const SUB = '5c4f9a10-1111-4222-8333-944455556666';

  it('a subgraph instance (definitions.subgraphs) is expanded, its inputs and outputs rewired', () => {
    const g = uiTxt2img();
    // replace the positive prompt node by a subgraph instance holding it
    g.nodes.splice(
      g.nodes.findIndex((x) => x.id === 6),
      1,
    );
    g.node(6, { type: SUB, inputs: [['clip', 'CLIP']], outputs: [['CONDITIONING', 'CONDITIONING']] });
    g.definitions = {
      subgraphs: [
        {
          id: SUB,
          version: 1,
          revision: 0,
          name: 'Prompt',
          state: {},
          config: {},
          inputNode: { id: -10, bounding: [0, 0, 10, 10] },
          outputNode: { id: -20, bounding: [0, 0, 10, 10] },
          inputs: [{ id: 'a0f4a4bf-0000-4000-8000-000000000001', name: 'clip', type: 'CLIP', linkIds: [1] }],
          outputs: [{ id: 'a0f4a4bf-0000-4000-8000-000000000002', name: 'CONDITIONING', type: 'CONDITIONING', linkIds: [2] }],
          nodes: [
            {
              id: 1,
              type: 'CLIPTextEncode',
              pos: [0, 0],
              size: [300, 100],
              flags: {},
              order: 0,
              mode: 0,
              properties: {},
              inputs: [{ name: 'clip', type: 'CLIP', link: 1 }],
              outputs: [{ name: 'CONDITIONING', type: 'CONDITIONING', links: [2] }],
              widgets_values: ['a cat inside a subgraph'],
            },
          ],
          links: [
            { id: 1, origin_id: -10, origin_slot: 0, target_id: 1, target_slot: 0, type: 'CLIP' },
            { id: 2, origin_id: 1, origin_slot: 0, target_id: -20, target_slot: 0, type: 'CONDITIONING' },
          ],
        },
      ],
    };
    const { workflow } = imported(g.json());
    expect(workflow.nodes['6']).toBeUndefined();
    expect(workflow.nodes['6:1']).toMatchObject({
      type: 'CLIPTextEncode',
      params: { text: 'a cat inside a subgraph' },
      inputs: { clip: { node: '4', output: 'CLIP' } },
    });
    expect(workflow.nodes['3'].inputs.positive).toEqual({ node: '6:1', output: 'CONDITIONING' });
    expect(errors(workflow)).toEqual([]);
  });

  it("a legacy group node (extra.groupNodes, type workflow>name) is expanded with the instance's widget values", () => {
    const g = uiTxt2img();
    g.nodes.splice(
      g.nodes.findIndex((x) => x.id === 7),
      1,
    );
    g.node(7, {
      type: 'workflow>negative',
      widgets: ['blurry, from the instance'],
      inputs: [['clip', 'CLIP']],
      outputs: [['CONDITIONING', 'CONDITIONING']],
    });
    g.extra = {
      groupNodes: {
        negative: {
          nodes: [
            {
              type: 'CLIPTextEncode',
              pos: [0, 0],
              size: [300, 100],
              flags: {},
              order: 0,
              mode: 0,
              index: 0,
              inputs: [{ name: 'clip', type: 'CLIP', link: null }],
              outputs: [{ name: 'CONDITIONING', type: 'CONDITIONING', links: [] }],
              properties: {},
              widgets_values: ['as grouped'],
            },
          ],
          links: [],
          external: [[0, 0, 'CONDITIONING']],
        },
      },
    };
    const { workflow } = imported(g.json());
    expect(workflow.nodes['7:0']).toMatchObject({
      type: 'CLIPTextEncode',
      params: { text: 'blurry, from the instance' },
      inputs: { clip: { node: '4', output: 'CLIP' } },
    });
    expect(workflow.nodes['3'].inputs.negative).toEqual({ node: '7:0', output: 'CONDITIONING' });
    expect(errors(workflow)).toEqual([]);
  });
});

describe('unknown classes and aliases', () => {
  it('an unknown class imports as a placeholder keeping inputs, widgets and links; only a run that needs it fails', () => {
    const g = uiTxt2img()
      .node(50, { type: 'FancyFaceFixer', widgets: ['model.pth', 0.5, true], inputs: [['image', 'IMAGE']], outputs: [['IMAGE', 'IMAGE']] })
      .link(8, 0, 50, 0, 'IMAGE');
    const { workflow, warnings } = imported(g.json());
    expect(warnings.join()).toContain('FancyFaceFixer');
    expect(workflow.nodes['50']).toMatchObject({
      type: 'FancyFaceFixer',
      inputs: { image: { node: '8', output: 'IMAGE' } },
      placeholder: {
        inputs: [{ name: 'image', type: 'IMAGE' }],
        outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
        widgets_values: ['model.pth', 0.5, true],
      },
    });
    expect(errors(workflow)).toEqual([]);
    // now the saved image comes through it: the run needs it
    const save = workflow.nodes['9'];
    save.inputs.images = { node: '50', output: '0' };
    expect(errors(workflow)).toMatchObject([{ code: 'UNKNOWN_NODE_TYPE', nodeId: '50', message: expect.stringContaining('FancyFaceFixer') }]);
  });

  it('CheckpointLoader (config loader) loads as CheckpointLoaderSimple; the config is ignored', () => {
    const g = uiTxt2img();
    Object.assign(g.nodes.find((x) => x.id === 4)!, { type: 'CheckpointLoader', widgets_values: ['v1-inference.yaml', 'tiny-sd1.safetensors'] });
    const { workflow } = imported(g.json());
    expect(workflow.nodes['4']).toMatchObject({ type: 'CheckpointLoaderSimple', params: { ckpt_name: 'tiny-sd1.safetensors' } });
    expect(errors(workflow)).toEqual([]);
  });

  it('sampler names with _gpu are accepted', () => {
    const g = uiTxt2img();
    (g.nodes.find((x) => x.id === 3) as { widgets_values: unknown[] }).widgets_values[4] = 'dpmpp_2m_sde_gpu';
    expect(errors(imported(g.json()).workflow)).toEqual([]);
  });

  it('LoadImage values keep their file name (ComfyUI\'s "[input]" annotation dropped, the upload widget skipped)', () => {
    const g = uiTxt2img().node(60, {
      type: 'LoadImage',
      widgets: ['photo.png [input]', 'image'],
      outputs: [
        ['IMAGE', 'IMAGE'],
        ['MASK', 'MASK'],
      ],
    });
    expect(imported(g.json()).workflow.nodes['60'].params).toEqual({ image: 'photo.png' });
  });

  it('loadAnyWorkflow tells the formats apart', () => {
    expect(loadAnyWorkflow(uiTxt2img().json(), SCHEMAS).source).toBe('comfy-ui');
  });
});
