import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWorkflow, WORKFLOW_VERSION } from '../../nodes/workflow';
import { validateWorkflow } from '../../server/scheduler/validate';
import { SCHEMAS } from '../scheduler/fixtures';

const DIR = path.resolve(import.meta.dirname, '../../public/workflows');
const index = JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8')) as { file: string }[];

describe('example workflows', () => {
  it.each(index.map((e) => e.file))('%s is a valid graph given its models and input files', (file) => {
    const json = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as { version: number };
    expect(json.version, 'examples are saved in the current format').toBe(WORKFLOW_VERSION);
    const wf = parseWorkflow(json);
    const known = ['tiny-sd1.safetensors', 'tiny-sdxl.safetensors', 'example-lora.safetensors'];
    const errors = validateWorkflow(wf, SCHEMAS, {
      findModel: (_folder, name) => (known.includes(name) ? { ok: true } : { ok: false, message: `no ${name}`, suggestions: [] }),
      inputFileExists: () => true,
    });
    expect(errors).toEqual([]);
  });
  it('lists every example file in the folder, and only those', () => {
    const files = fs
      .readdirSync(DIR)
      .filter((f) => f.endsWith('.json') && f !== 'index.json')
      .sort();
    expect(index.map((e) => e.file).sort()).toEqual(files);
    expect(files).toHaveLength(6);
  });
});
