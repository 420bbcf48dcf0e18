import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REGISTRY } from '@/nodes/registry';
import { parseWorkflow } from '@/nodes/workflow';
import { adaptExample, parseExampleIndex } from '@/app/lib/examples';
import { madeWith } from '@/app/lib/jobDetails';

const DIR = path.resolve(import.meta.dirname, '../../public/workflows');
const read = (f: string) => parseWorkflow(JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')));
const file = (name: string, family: string | null = null) => ({ name, bytes: 1, sha256: null, family });

describe('examples on the installed models', () => {
  it('every example says what it needs, and ships the inputs it names', () => {
    const index = parseExampleIndex(JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8')));
    expect(index).toHaveLength(6);
    for (const e of index) expect(['sd1', 'sdxl']).toContain(e.needs?.checkpoint);
    for (const input of index.flatMap((e) => e.needs?.inputs ?? [])) expect(fs.existsSync(path.resolve(DIR, '../examples/input', input))).toBe(true);
    expect(index.find((e) => e.file === 'lora.json')?.needs?.folders).toEqual(['loras']);
  });

  it('picks the first installed checkpoint of the example’s family (distinct ones for merges), and names what is missing', () => {
    const models = {
      checkpoints: [file('a-xl.safetensors', 'sdxl'), file('b-sd15.safetensors', 'sd1'), file('c-sd15.safetensors', 'sd1')],
      loras: [],
    };
    const xl = adaptExample(read('sdxl-text-to-image.json'), REGISTRY.schemas, models, 'sdxl');
    expect(xl.workflow.nodes.ckpt?.params.ckpt_name).toBe('a-xl.safetensors');
    const merge = adaptExample(read('merge-then-generate.json'), REGISTRY.schemas, models, 'sd1');
    expect([merge.workflow.nodes.a?.params.ckpt_name, merge.workflow.nodes.b?.params.ckpt_name]).toEqual([
      'b-sd15.safetensors',
      'c-sd15.safetensors',
    ]);
    const lora = adaptExample(read('lora.json'), REGISTRY.schemas, models, 'sd1');
    expect(lora.missing).toEqual(['loras']);
    expect(adaptExample(read('text-to-image.json'), REGISTRY.schemas, { checkpoints: [file('x.safetensors', 'sdxl')] }, 'sd1').missing).toEqual([
      'checkpoints (sd1)',
    ]);
    // an installed file of the named name is kept
    expect(
      adaptExample(
        read('text-to-image.json'),
        REGISTRY.schemas,
        { checkpoints: [file('z.safetensors', 'sd1'), file('tiny-sd1.safetensors', 'sd1')] },
        'sd1',
      ).workflow.nodes.ckpt?.params.ckpt_name,
    ).toBe('tiny-sd1.safetensors');
  });

  it('reads what an image was made with from its job’s workflow', () => {
    const m = madeWith(read('img2img.json'), 'save');
    expect(m).toMatchObject({ seed: '42', sampler: 'euler', scheduler: 'normal', steps: 20, cfg: 7, model: 'tiny-sd1.safetensors' });
    expect(m.prompt).toMatch(/astronaut/);
    expect(m.negative).toBe('blurry, low quality');
  });
});
