/** Temp folder trees for the model folder tests: a ComfyUI-style models/ folder, files, links. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temp directory (real path, so links and listings agree), removed after the file's tests. */
export function tempDir(prefix = 'loom-models-'): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  made.push(dir);
  return dir;
}

export function touch(file: string, content = 'x'): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

export function link(target: string, at: string): string {
  fs.mkdirSync(path.dirname(at), { recursive: true });
  fs.symlinkSync(target, at);
  return at;
}

/**
 * ComfyUI's folder table (folder_paths.py at the reference commit), written out independently of ours:
 * key → the folders under models/ it reads, in order, and one file name of an extension it lists.
 */
export const COMFY_FOLDERS: Record<string, { dirs: string[]; file: string }> = {
  checkpoints: { dirs: ['checkpoints'], file: 'm.safetensors' },
  configs: { dirs: ['configs'], file: 'v1-inference.yaml' },
  loras: { dirs: ['loras'], file: 'm.safetensors' },
  vae: { dirs: ['vae'], file: 'm.pt' },
  text_encoders: { dirs: ['text_encoders', 'clip'], file: 'm.safetensors' },
  diffusion_models: { dirs: ['unet', 'diffusion_models'], file: 'm.sft' },
  clip_vision: { dirs: ['clip_vision'], file: 'm.safetensors' },
  style_models: { dirs: ['style_models'], file: 'm.safetensors' },
  embeddings: { dirs: ['embeddings'], file: 'm.pt' },
  vae_approx: { dirs: ['vae_approx'], file: 'm.pth' },
  controlnet: { dirs: ['controlnet', 't2i_adapter'], file: 'm.pth' },
  gligen: { dirs: ['gligen'], file: 'm.safetensors' },
  upscale_models: { dirs: ['upscale_models'], file: 'm.pth' },
  latent_upscale_models: { dirs: ['latent_upscale_models'], file: 'm.safetensors' },
  hypernetworks: { dirs: ['hypernetworks'], file: 'm.pt' },
  photomaker: { dirs: ['photomaker'], file: 'm.bin' },
  classifiers: { dirs: ['classifiers'], file: 'model' },
  model_patches: { dirs: ['model_patches'], file: 'm.safetensors' },
  audio_encoders: { dirs: ['audio_encoders'], file: 'm.ckpt' },
};

/**
 * Every ComfyUI model folder with, in each of its directories: a listed file in the top level and in
 * a sub-folder (named after the directory, so each key's expected listing is known), a hidden file,
 * a file in a hidden folder, and a text file no folder lists. models/clip also holds the CLIP tokenizer
 * vocabulary, which is not a model file. Returns models/ and each key's expected listing.
 */
export function comfyModelsTree(root: string): { models: string; expected: Record<string, string[]> } {
  const models = path.join(root, 'models');
  const expected: Record<string, string[]> = {};
  for (const [key, { dirs, file }] of Object.entries(COMFY_FOLDERS)) {
    expected[key] = [];
    for (const d of dirs) {
      touch(path.join(models, d, `${d}-${file}`));
      touch(path.join(models, d, 'sub', `nested-${d}-${file}`));
      touch(path.join(models, d, `.hidden-${file}`));
      touch(path.join(models, d, '.git', `objects-${file}`));
      touch(path.join(models, d, 'put_files_here.txt'));
      expected[key].push(`${d}-${file}`, `sub/nested-${d}-${file}`);
    }
    expected[key].sort();
  }
  touch(path.join(models, 'clip', 'bpe_simple_vocab_16e6.txt.gz'));
  touch(path.join(models, 'clip', 'vocab.json'));
  touch(path.join(models, 'clip', 'merges.txt'));
  return { models, expected };
}
