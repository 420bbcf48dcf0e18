/** Export to ComfyUI's formats: what ComfyUI would queue (API) and what its editor opens (UI), round-tripping through import. */
import { describe, expect, it } from 'vitest';
import { toComfyApi, toComfyUi } from '../../../nodes/workflow/comfy/export';
import { importComfyApi } from '../../../nodes/workflow/comfy/import-api';
import { importComfyUi } from '../../../nodes/workflow/comfy/import-ui';
import type { Workflow } from '../../../nodes/workflow/schema';
import { SCHEMAS, txt2img } from '../../scheduler/fixtures';
import { apiTxt2img, uiTxt2img } from './ui-builder';

function ok<T>(r: { ok: true; workflow: T } | { ok: false; errors: string[] }): T {
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.workflow;
}
const withoutUi = (wf: Workflow) => Object.fromEntries(Object.entries(wf.nodes).map(([id, { ui: _ui, ...n }]) => [id, n]));

describe('export to ComfyUI', () => {
  it('API: an imported prompt exports back to the same prompt (every widget, defaults included)', () => {
    const wf = ok(importComfyApi(apiTxt2img(), SCHEMAS));
    const back = toComfyApi(wf, SCHEMAS);
    for (const [id, n] of Object.entries(apiTxt2img())) {
      expect(back[id].class_type).toBe(n.class_type);
      expect(back[id].inputs).toEqual(n.inputs);
    }
  });

  it('UI: export then import gives the same workflow (ids, widgets, links, modes, titles, groups, seed controls)', () => {
    const wf = ok(importComfyUi(uiTxt2img().json(), SCHEMAS));
    wf.nodes['7'].mode = 'bypassed';
    wf.nodes['6'].title = 'Positive';
    wf.groups = [{ title: 'G', bounding: [0, 0, 100, 100] }];
    const back = ok(importComfyUi(JSON.parse(JSON.stringify(toComfyUi(wf, SCHEMAS))), SCHEMAS));
    expect(withoutUi(back)).toEqual(withoutUi(wf));
    expect(back.nodes['3'].ui).toMatchObject({ seed_control: { seed: 'randomize' }, x: wf.nodes['3'].ui?.x });
    expect(back.groups).toEqual([{ title: 'G', bounding: [0, 0, 100, 100], font_size: 24 }]);
  });

  it('UI: our string node ids become numbers, links become ComfyUI link tuples', () => {
    const ui = toComfyUi(txt2img(), SCHEMAS) as { nodes: { id: number; type: string; widgets_values: unknown[] }[]; links: unknown[][] };
    expect(ui.nodes.every((n) => Number.isInteger(n.id))).toBe(true);
    const ks = ui.nodes.find((n) => n.type === 'KSampler')!;
    expect(ks.widgets_values).toEqual([1, 'randomize', 4, 8, 'euler', 'simple', 1]);
    expect(ui.links).toHaveLength(9);
    const back = ok(importComfyUi(JSON.parse(JSON.stringify(ui)), SCHEMAS));
    expect(
      Object.values(back.nodes)
        .map((n) => n.type)
        .sort(),
    ).toEqual(
      Object.values(txt2img().nodes)
        .map((n) => n.type)
        .sort(),
    );
  });

  it('API: modes resolved, primitives inlined, notes dropped, as ComfyUI queues it', () => {
    const wf = txt2img();
    wf.nodes.note = { type: 'Note', version: 1, params: { text: 'x' }, inputs: {} };
    wf.nodes.p = { type: 'PrimitiveNode', version: 1, params: { value: 77 }, inputs: {} };
    wf.nodes.sampler.inputs.seed = { node: 'p', output: 'connect to widget input' };
    wf.nodes.extra = { type: 'PreviewImage', version: 1, params: {}, inputs: { images: { node: 'decode', output: 'IMAGE' } }, mode: 'muted' };
    const api = toComfyApi(wf, SCHEMAS);
    expect(Object.keys(api).sort()).toEqual(['ckpt', 'decode', 'latent', 'neg', 'pos', 'sampler', 'save']);
    expect(api.sampler.inputs.seed).toBe(77);
    expect(api.sampler.inputs.model).toEqual(['ckpt', 0]);
    expect(api.decode.inputs.vae).toEqual(['ckpt', 2]);
  });

  it('a placeholder exports as the class it was, with its values', () => {
    const ui = uiTxt2img()
      .node(50, { type: 'FancyFaceFixer', widgets: ['m.pth', 0.5], inputs: [['image', 'IMAGE']], outputs: [['IMAGE', 'IMAGE']] })
      .link(8, 0, 50, 0, 'IMAGE');
    const wf = ok(importComfyUi(ui.json(), SCHEMAS));
    const out = toComfyUi(wf, SCHEMAS) as { nodes: { id: number; type: string; widgets_values: unknown[]; inputs: { link: number | null }[] }[] };
    const p = out.nodes.find((n) => n.type === 'FancyFaceFixer')!;
    expect(p.widgets_values).toEqual(['m.pth', 0.5]);
    expect(p.inputs[0].link).not.toBeNull();
  });
});
