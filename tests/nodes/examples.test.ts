import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWorkflow } from '../../nodes/workflow/migrate';
import { SCHEMAS_BY_ID } from '../../nodes/schemas';
import { validateWorkflow } from '../../server/scheduler/validate';

const DIR = path.resolve(import.meta.dirname, '../../public/workflows');
const index = JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8')) as { file: string }[];

describe('example workflows', () => {
  it.each(index.map((e) => e.file))('%s is a valid graph given its models and input files', (file) => {
    const wf = parseWorkflow(JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')));
    const errors = validateWorkflow(wf, SCHEMAS_BY_ID, {
      listModels: (folder) => (folder === 'checkpoints' ? ['tiny-sd1.safetensors', 'tiny-sdxl.safetensors'] : ['example-lora.safetensors']),
      inputFileExists: () => true,
      isAvailable: () => true,
    });
    expect(errors).toEqual([]);
  });
  it('lists every example file in the folder, and only those', () => {
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json') && f !== 'index.json').sort();
    expect(index.map((e) => e.file).sort()).toEqual(files);
    expect(files).toHaveLength(6);
  });
});
