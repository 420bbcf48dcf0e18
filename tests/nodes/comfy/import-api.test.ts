/** ComfyUI API ("prompt") format: a prompt is our graph, so import only names the links. */
import { describe, expect, it } from 'vitest';
import { executableGraph } from '../../../nodes/workflow/executable';
import { importComfyApi } from '../../../nodes/workflow/comfy/import-api';
import { loadAnyWorkflow } from '../../../nodes/workflow/load';
import type { Workflow } from '../../../nodes/workflow/schema';
import { validateWorkflow } from '../../../server/scheduler/validate';
import { fakeEnv, SCHEMAS } from '../../scheduler/fixtures';
import { apiTxt2img } from './ui-builder';

function imported(json: unknown): { workflow: Workflow; warnings: string[] } {
  const r = importComfyApi(JSON.parse(JSON.stringify(json)), SCHEMAS);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r;
}
const errors = (wf: Workflow) => validateWorkflow(wf, SCHEMAS, fakeEnv());

describe('ComfyUI API format', () => {
  it('maps 1:1: same ids, class ids, widget names; links named by the source output', () => {
    const { workflow } = imported(apiTxt2img());
    expect(workflow.nodes['3']).toMatchObject({
      type: 'KSampler',
      params: { seed: 156680208700286, steps: 20, sampler_name: 'euler' },
      inputs: { model: { node: '4', output: 'MODEL' }, latent_image: { node: '5', output: 'LATENT' } },
    });
    expect(workflow.nodes['8'].inputs).toEqual({ samples: { node: '3', output: 'LATENT' }, vae: { node: '4', output: 'VAE' } });
    expect(errors(workflow)).toEqual([]);
  });

  it('keeps _meta titles, and links into widgets', () => {
    const api: ReturnType<typeof apiTxt2img> = { ...apiTxt2img(), '20': { class_type: 'PrimitiveInt', inputs: { value: 99 } } };
    api['3'] = { ...api['3'], _meta: { title: 'Main sampler' }, inputs: { ...api['3'].inputs, steps: ['20', 0] } };
    const { workflow } = imported(api);
    expect(workflow.nodes['3'].title).toBe('Main sampler');
    expect(workflow.nodes['3'].inputs.steps).toEqual({ node: '20', output: 'INT' });
    expect(workflow.nodes['3'].params.steps).toBeUndefined();
    expect(errors(workflow)).toEqual([]);
  });

  it('an unknown class becomes a placeholder; links from it keep their slot; only a run that needs it fails', () => {
    const api = { ...apiTxt2img(), '30': { class_type: 'UltimateSDUpscale', inputs: { image: ['8', 0], upscale_by: 2 } } };
    const { workflow, warnings } = imported(api);
    expect(warnings.join()).toContain('UltimateSDUpscale');
    expect(workflow.nodes['30']).toMatchObject({
      type: 'UltimateSDUpscale',
      inputs: { image: { node: '8', output: 'IMAGE' } },
      placeholder: { widgets_values: { upscale_by: 2 } },
    });
    expect(errors(workflow)).toEqual([]);
    workflow.nodes['9'].inputs.images = { node: '30', output: '0' };
    expect(errors(workflow)).toMatchObject([{ code: 'UNKNOWN_NODE_TYPE', nodeId: '30' }]);
  });

  it('aliases: CheckpointLoader drops its config; extra inputs ComfyUI ignores are ignored with a warning', () => {
    const api = apiTxt2img();
    api['4'] = { class_type: 'CheckpointLoader', inputs: { config_name: 'v1-inference.yaml', ckpt_name: 'tiny-sd1.safetensors' } };
    api['5'] = { class_type: 'EmptyLatentImage', inputs: { ...api['5'].inputs, stale_widget: 3 } };
    const { workflow, warnings } = imported(api);
    expect(workflow.nodes['4']).toMatchObject({ type: 'CheckpointLoaderSimple', params: { ckpt_name: 'tiny-sd1.safetensors' } });
    expect(warnings).toEqual([expect.stringContaining('"stale_widget" is not one of its inputs')]);
    expect(errors(workflow)).toEqual([]);
  });

  it('bad prompts give errors naming node and input, never a crash', () => {
    const api = apiTxt2img();
    api['3'] = { ...api['3'], inputs: { ...api['3'].inputs, positive: 'not a link', latent_image: ['5', 7] } };
    const r = importComfyApi(api, SCHEMAS);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toContainEqual(expect.stringContaining('Node 3 (KSampler) input "positive" must be a link'));
      expect(r.errors).toContainEqual(
        expect.stringContaining('Node 3 (KSampler) input "latent_image" links to output 7 of node 5, which does not exist'),
      );
    }
    const missing = imported({ ...apiTxt2img(), '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['99', 2] } } }).workflow;
    expect(errors(missing)).toMatchObject([
      { code: 'BAD_LINK', nodeId: '8', input: 'vae', message: expect.stringContaining('"99", which does not exist') },
    ]);
    expect(() => loadAnyWorkflow({ '1': { class_type: 42 } }, SCHEMAS)).toThrow(/Not a Latent Loom or ComfyUI workflow/);
  });

  it('the executable graph of an API prompt is the prompt', () => {
    const { workflow } = imported(apiTxt2img());
    expect(executableGraph(workflow, SCHEMAS).workflow.nodes).toEqual(workflow.nodes);
  });
});
