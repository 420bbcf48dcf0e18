import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  acceptedExtension,
  folderKey,
  mapLegacyFolder,
  MODEL_FOLDER_KEYS,
  MODEL_FOLDER_TABLE,
  modelDirectories,
  PT_EXTENSIONS,
} from '../../server/config/model-folders';
import { listModels, ModelListCache } from '../../server/config/model-list';
import { resolvePaths } from '../../server/config/paths';
import { MODEL_FOLDERS, type ModelFolder } from '../../nodes/types';
import { vocabularySearchDirs } from '../../server/runtime/text/tokenizer';
import { COMFY_FOLDERS, comfyModelsTree, tempDir } from './model-tree';

describe('the model folder table', () => {
  it("has ComfyUI's folder names, directories (in ComfyUI's order) and nothing else", () => {
    expect([...MODEL_FOLDER_KEYS].sort()).toEqual(Object.keys(COMFY_FOLDERS).sort());
    for (const [key, { dirs }] of Object.entries(COMFY_FOLDERS))
      expect(modelDirectories({ models: '/m' }, folderKey(key as never))).toEqual(dirs.map((d) => `/m/${d}`));
  });

  it("accepts ComfyUI's supported_pt_extensions, .yaml for configs and extension-less files for classifiers", () => {
    expect([...PT_EXTENSIONS].sort()).toEqual(['.bin', '.ckpt', '.pkl', '.pt', '.pt2', '.pth', '.safetensors', '.sft']);
    expect(acceptedExtension('checkpoints', 'a/B.SafeTensors')).toBe('.safetensors');
    expect(acceptedExtension('upscale_models', '4x-UltraSharp.pth')).toBe('.pth');
    expect(acceptedExtension('checkpoints', 'notes.txt')).toBeNull();
    expect(acceptedExtension('checkpoints', 'v1-inference.yaml')).toBeNull();
    expect(acceptedExtension('configs', 'v1-inference.yaml')).toBe('.yaml');
    expect(acceptedExtension('configs', 'm.safetensors')).toBeNull();
    expect(acceptedExtension('classifiers', 'sub/model')).toBe('');
    expect(acceptedExtension('classifiers', 'model.pt')).toBeNull();
    expect(MODEL_FOLDER_TABLE.text_encoders.extensions).toEqual(PT_EXTENSIONS);
  });

  it('maps legacy names like map_legacy and refuses unknown ones with the list of keys', () => {
    expect(mapLegacyFolder('unet')).toBe('diffusion_models');
    expect(mapLegacyFolder('clip')).toBe('text_encoders');
    expect(mapLegacyFolder('loras')).toBe('loras');
    expect(mapLegacyFolder('custom_nodes')).toBeNull();
    expect(mapLegacyFolder('toString')).toBeNull();
    expect(() => folderKey('lora' as never)).toThrow(/"lora" is not a model folder; expected one of checkpoints, configs, loras/);
  });
});

describe('a ComfyUI models/ folder used as is', () => {
  const root = tempDir();
  const { models, expected } = comfyModelsTree(root);
  const paths = resolvePaths({ root, modelsDir: models }, {});

  it('lists every folder key with the files ComfyUI would show, hidden files and other extensions left out', () => {
    const cache = new ModelListCache();
    for (const key of MODEL_FOLDER_KEYS) expect(listModels(paths, key, cache), key).toEqual(expected[key]);
    expect(listModels(paths, 'unet', cache)).toEqual(expected.diffusion_models);
    expect(listModels(paths, 'clip', cache)).toEqual(expected.text_encoders);
    // today's folder names (nodes/types.ts) are all keys or legacy names, so callers can switch as they are
    const old: readonly ModelFolder[] = MODEL_FOLDERS;
    for (const f of old) expect(listModels(paths, f, cache).length).toBeGreaterThan(0);
  });

  it('keeps the CLIP vocabulary lookup in models/clip working', () => {
    expect(listModels(paths, 'loras')).toEqual(['loras-m.safetensors', 'sub/nested-loras-m.safetensors']);
    const clipDir = vocabularySearchDirs({ modelsDir: paths.models, env: {} })[0];
    expect(fs.existsSync(path.join(clipDir, 'bpe_simple_vocab_16e6.txt.gz'))).toBe(true);
    // the vocabulary sits among text encoders without being listed as one
    expect(listModels(paths, 'text_encoders').some((n) => n.includes('vocab') || n.includes('merges'))).toBe(false);
  });
});
