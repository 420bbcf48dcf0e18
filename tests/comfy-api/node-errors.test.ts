/**
 * Validation failures in ComfyUI's shape: the structural checks /prompt makes before our importer, and our
 * validator's errors (made by validateWorkflow on real workflows, with a fake disk) mapped to ComfyUI's error types,
 * each naming node, class and input, with the outputs that depend on the node.
 */
import { describe, expect, it } from 'vitest';
import { REGISTRY } from '../../nodes/registry';
import { loadAnyWorkflow } from '../../nodes/workflow/load';
import type { Workflow } from '../../nodes/workflow/schema';
import { precheckApiPrompt, promptErrors, type PromptErrorBody } from '../../server/comfy/node-errors';
import { validateWorkflow, type ValidationEnv } from '../../server/scheduler/validate';

const schemas = REGISTRY.schemas;

type Prompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/** txt2img with two outputs sharing the checkpoint: SaveImage "7" and PreviewImage "8". */
const prompt = (): Prompt => ({
  '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'tiny-sd1.safetensors' } },
  '2': { class_type: 'CLIPTextEncode', inputs: { text: 'a cat', clip: ['1', 1] } },
  '3': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['1', 1] } },
  '4': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
  '5': {
    class_type: 'KSampler',
    inputs: {
      seed: 1,
      steps: 3,
      cfg: 7,
      sampler_name: 'euler',
      scheduler: 'normal',
      denoise: 1,
      model: ['1', 0],
      positive: ['2', 0],
      negative: ['3', 0],
      latent_image: ['4', 0],
    },
  },
  '6': { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['1', 2] } },
  '7': { class_type: 'SaveImage', inputs: { images: ['6', 0], filename_prefix: 'x' } },
  '8': { class_type: 'PreviewImage', inputs: { images: ['6', 0] } },
});

const env: ValidationEnv = {
  findModel: (_folder, name) =>
    name === 'tiny-sd1.safetensors'
      ? { ok: true }
      : { ok: false, message: `No model "${name}" in models/checkpoints`, suggestions: ['tiny-sd1.safetensors'] },
  inputFileExists: (name) => name === 'cat.png',
};

/** What /prompt answers for a prompt that passes the structural checks: our validator's errors, mapped. */
function answer(p: Prompt): PromptErrorBody | null {
  const checked = precheckApiPrompt(p, schemas);
  if (!checked.ok) return checked.body;
  const wf: Workflow = loadAnyWorkflow(checked.prompt, schemas).workflow;
  const errors = validateWorkflow(wf, schemas, env);
  return errors.length === 0 ? null : promptErrors(errors, wf, schemas);
}

const nodeError = (body: PromptErrorBody | null, id: string) => body?.node_errors[id];

describe('precheckApiPrompt', () => {
  it("accepts a good prompt and converts numeric strings for INT/FLOAT widgets (ComfyUI's int(val)), keeping big seeds exact", () => {
    const p = prompt();
    p['4'].inputs.width = '64';
    p['5'].inputs.cfg = ' 7.5 ';
    p['5'].inputs.seed = '18446744073709551615';
    p['5'].inputs.unknown_extra = { ignored: true };
    const r = precheckApiPrompt(p, schemas);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.prompt['4'].inputs.width).toBe(64);
    expect(r.prompt['5'].inputs.cfg).toBe(7.5);
    expect(r.prompt['5'].inputs.seed).toBe('18446744073709551615');
    expect(answer(p)).toBeNull();
  });

  it('refuses the prompt as a whole like ComfyUI: empty, a node without class_type, an unknown or editor-only class', () => {
    const top = (p: Record<string, unknown>) => {
      const r = precheckApiPrompt(p, schemas);
      return r.ok ? null : r.body;
    };
    expect(top({})?.error.type).toBe('invalid_prompt');
    expect(top({ '3': { inputs: {} } })).toEqual({
      error: {
        type: 'invalid_prompt',
        message: 'Cannot execute because a node is missing the class_type property.',
        details: "Node ID '#3'",
        extra_info: {},
      },
      node_errors: {},
    });
    expect(top({ ...prompt(), '9': { class_type: 'Upscaler9000', inputs: {} } })?.error).toMatchObject({
      message: 'Cannot execute because node Upscaler9000 does not exist.',
      details: "Node ID '#9'",
    });
    expect(top({ ...prompt(), '9': { class_type: 'Note', inputs: {} } })?.error.type).toBe('invalid_prompt');
    expect(top({ '1': { class_type: 'SaveImage', inputs: [1, 2] } })?.error.details).toContain('"inputs" must be an object');
  });

  it('names node and input for bad links, a value where a link belongs, and non-scalar widgets; lists dependent outputs', () => {
    const p = prompt();
    p['6'].inputs.vae = ['1', 7];
    p['6'].inputs.samples = ['5', 0, 1];
    p['5'].inputs.model = 'model.safetensors';
    p['4'].inputs.width = [64];
    p['4'].inputs.height = { v: 64 };
    const body = answer(p);
    expect(body?.error).toMatchObject({ type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation' });
    const six = nodeError(body, '6');
    expect(six?.class_type).toBe('VAEDecode');
    expect(six?.dependent_outputs.sort()).toEqual(['7', '8']);
    expect(six?.errors.map((e) => [e.type, e.extra_info.input_name])).toEqual([
      ['bad_linked_input', 'samples'],
      ['bad_linked_input', 'vae'],
    ]);
    expect(six?.errors[1].details).toContain('has no output 7');
    expect(nodeError(body, '5')?.errors[0]).toMatchObject({
      type: 'invalid_input_type',
      message: 'Failed to convert an input value to a MODEL value',
      extra_info: { input_name: 'model' },
    });
    const four = nodeError(body, '4');
    // a one-element list is a bad link ([node, slot] is the only list ComfyUI takes); an object is a bad value
    expect(four?.errors.map((e) => [e.type, e.extra_info.input_name])).toEqual([
      ['bad_linked_input', 'width'],
      ['invalid_input_type', 'height'],
    ]);
    expect(body?.error.details.split('\n')).toHaveLength(5);
  });
});

describe("promptErrors: our validator's findings in ComfyUI's types", () => {
  it('range, option, model and file problems, with the received value and our explanation in details', () => {
    const p = prompt();
    p['5'].inputs.steps = 0;
    p['5'].inputs.cfg = 1000;
    p['5'].inputs.sampler_name = 'warp';
    p['1'].inputs.ckpt_name = 'tiny-sd2.safetensors';
    p['9'] = { class_type: 'LoadImage', inputs: { image: 'dog.png' } };
    p['10'] = { class_type: 'PreviewImage', inputs: { images: ['9', 0] } };
    const body = answer(p);
    const five = nodeError(body, '5')?.errors ?? [];
    expect(five.find((e) => e.extra_info.input_name === 'steps')).toMatchObject({
      type: 'value_smaller_than_min',
      message: 'Value 0 smaller than min of 1',
      extra_info: { received_value: 0 },
    });
    expect(five.find((e) => e.extra_info.input_name === 'cfg')).toMatchObject({
      type: 'value_bigger_than_max',
      message: 'Value 1000 bigger than max of 100',
    });
    expect(five.find((e) => e.extra_info.input_name === 'sampler_name')).toMatchObject({ type: 'value_not_in_list', message: 'Value not in list' });
    const one = nodeError(body, '1');
    expect(one?.errors[0]).toMatchObject({
      type: 'value_not_in_list',
      extra_info: { input_name: 'ckpt_name', received_value: 'tiny-sd2.safetensors', suggestions: ['tiny-sd1.safetensors'] },
    });
    expect(one?.errors[0].details).toContain('tiny-sd1.safetensors');
    expect(one?.dependent_outputs.sort()).toEqual(['7', '8']);
    expect(nodeError(body, '9')).toMatchObject({
      class_type: 'LoadImage',
      dependent_outputs: ['10'],
      errors: [{ type: 'custom_validation_failed', details: expect.stringContaining('Invalid image file: dog.png') }],
    });
  });

  it('a missing required input, a type mismatch, a link to a missing node, no output node', () => {
    const p = prompt();
    delete p['5'].inputs.negative;
    p['6'].inputs.vae = ['2', 0];
    p['7'].inputs.images = ['42', 0];
    const body = answer(p);
    expect(nodeError(body, '5')?.errors[0]).toMatchObject({
      type: 'required_input_missing',
      message: 'Required input is missing',
      extra_info: { input_name: 'negative' },
    });
    expect(nodeError(body, '6')?.errors[0]).toMatchObject({ type: 'return_type_mismatch', extra_info: { input_name: 'vae' } });
    expect(nodeError(body, '7')?.errors[0]).toMatchObject({ type: 'bad_linked_input', extra_info: { input_name: 'images' } });
    expect(nodeError(body, '7')?.errors[0].details).toContain('"42"');

    const none = prompt();
    delete none['7'];
    delete none['8'];
    expect(answer(none)?.error).toMatchObject({ type: 'prompt_no_outputs', message: 'Prompt has no outputs' });
  });

  it('graph-wide errors: a workflow that cannot be read is invalid_prompt; extra lines join the details; paths are scrubbed', () => {
    expect(
      promptErrors([{ code: 'INVALID_WORKFLOW', nodeId: null, message: 'Not a Latent Loom or ComfyUI workflow.' }], null, schemas).error,
    ).toMatchObject({ type: 'invalid_prompt', details: 'Not a Latent Loom or ComfyUI workflow.' });
    const wf = loadAnyWorkflow(prompt(), schemas).workflow;
    const body = promptErrors(
      [
        { code: 'VALUE_OUT_OF_RANGE', nodeId: '5', input: 'steps', message: 'steps: 0 is outside 1..10000 (/home/me/secret)' },
        { code: 'BAD_LINK', nodeId: null, message: '…and 40 more problems (BAD_LINK) not listed.' },
      ],
      wf,
      schemas,
      (s) => s.replace('/home/me/secret', '<server>'),
    );
    expect(body.error.details).toContain('…and 40 more problems');
    expect(JSON.stringify(body)).not.toContain('/home/me');
    expect(body.node_errors['5'].errors[0].details).toContain('<server>');
  });
});
