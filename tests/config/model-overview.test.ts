import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REGISTRY } from '../../nodes/registry';
import { MODEL_FOLDERS } from '../../nodes/types';
import { ensureModelFolders, modelFolderInfo, modelUsage } from '../../server/config/model-overview';
import { resolvePaths } from '../../server/config/paths';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-model-overview-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('model library data', () => {
  it('lists every folder with its full paths, creates only the missing ones under models/, and nothing twice', async () => {
    const paths = resolvePaths({ root });
    fs.mkdirSync(path.join(paths.models, 'clip'), { recursive: true }); // a legacy name: text_encoders is there already
    const before = await modelFolderInfo(paths);
    expect(before.map((f) => f.folder)).toEqual([...MODEL_FOLDERS]);
    expect(before.find((f) => f.folder === 'checkpoints')?.dirs).toEqual([{ path: path.join(paths.models, 'checkpoints'), exists: false }]);
    const created = await ensureModelFolders(paths);
    expect(created).toContain(path.join(paths.models, 'checkpoints'));
    expect(created).toContain(path.join(paths.models, 'loras'));
    expect(created.some((c) => c.endsWith(`${path.sep}text_encoders`))).toBe(false);
    for (const c of created) expect(path.dirname(c)).toBe(paths.models);
    expect((await modelFolderInfo(paths)).find((f) => f.folder === 'loras')?.dirs[0]?.exists).toBe(true);
    expect(await ensureModelFolders(paths)).toEqual([]);
  });

  it('finds which saved workflows use a model, in ours and ComfyUI’s formats, skipping unreadable files', async () => {
    const dir = path.join(root, 'workflows');
    fs.mkdirSync(dir, { recursive: true });
    const ours = (ckpt: string, lora?: string) => ({
      format: 'latentloom.workflow',
      version: 2,
      nodes: {
        c: { type: 'CheckpointLoaderSimple', params: { ckpt_name: ckpt } },
        ...(lora
          ? {
              l: {
                type: 'LoraLoader',
                params: { lora_name: lora, strength_model: 1, strength_clip: 1 },
                inputs: { model: { node: 'c', output: 'MODEL' }, clip: { node: 'c', output: 'CLIP' } },
              },
            }
          : {}),
      },
    });
    fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify(ours('sd15.safetensors', 'style.safetensors')));
    fs.writeFileSync(path.join(dir, 'b.json'), JSON.stringify(ours('sd15.safetensors')));
    fs.writeFileSync(
      path.join(dir, 'api.json'),
      JSON.stringify({ '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'xl.safetensors' } } }),
    );
    fs.writeFileSync(path.join(dir, 'broken.json'), '{ nope');
    const usage = await modelUsage(dir, REGISTRY.schemas);
    expect(usage.checkpoints?.['sd15.safetensors']?.sort()).toEqual(['a', 'b']);
    expect(usage.checkpoints?.['xl.safetensors']).toEqual(['api']);
    expect(usage.loras).toEqual({ 'style.safetensors': ['a'] });
    expect(await modelUsage(path.join(root, 'missing'), REGISTRY.schemas)).toEqual({});
  });
});
