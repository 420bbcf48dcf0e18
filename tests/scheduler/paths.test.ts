import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePaths, safeJoin } from '../../server/config/paths';
import { listModels } from '../../server/config/model-list';
import { findModelBySha256 } from '../../server/config/hash';
import { resolveModelNames } from '../../server/scheduler/environment';
import { SCHEMAS, txt2img } from './fixtures';

describe('paths', () => {
  it('env vars and flags override the data root, flags first', () => {
    const p = resolvePaths({ root: '/data', outputDir: '/flag/out' }, { LOOM_MODELS_DIR: '/env/models', LOOM_OUTPUT_DIR: '/env/out' });
    expect(p).toMatchObject({ models: '/env/models', output: '/flag/out', input: '/data/input', workflows: '/data/workflows' });
  });
  it('safeJoin refuses traversal and absolute names', () => {
    expect(safeJoin('/m', 'a/b.safetensors')).toBe('/m/a/b.safetensors');
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', '', 'a\0b', 'C:\\x']) expect(safeJoin('/m', bad)).toBeNull();
  });
  it('finds a renamed model by sha256 and rewrites the workflow', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-paths-'));
    const paths = resolvePaths({ root });
    fs.mkdirSync(path.join(paths.models, 'checkpoints', 'sub'), { recursive: true });
    const bytes = Buffer.from('not really a checkpoint');
    fs.writeFileSync(path.join(paths.models, 'checkpoints', 'sub', 'renamed.safetensors'), bytes);
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    expect(listModels(paths, 'checkpoints')).toEqual(['sub/renamed.safetensors']);
    expect(await findModelBySha256(paths, 'checkpoints', sha256)).toBe('sub/renamed.safetensors');
    const wf = txt2img();
    wf.nodes.ckpt.params.ckpt_name = 'gone.safetensors';
    wf.nodes.ckpt.models = { ckpt_name: { sha256 } };
    const { workflow, notes } = await resolveModelNames(wf, SCHEMAS, paths);
    expect(workflow.nodes.ckpt.params.ckpt_name).toBe('sub/renamed.safetensors');
    expect(notes[0]).toContain('same sha256');
  });
});
