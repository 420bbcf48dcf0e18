/**
 * The model folder table as data, mirroring ComfyUI's folder_paths.folder_names_and_paths: a key is
 * ComfyUI's folder name, `dirs` are the folders read under the models directory (in ComfyUI's order),
 * `extensions` the file endings listed. Pointing the models directory at a ComfyUI `models/` folder
 * therefore finds everything where ComfyUI would.
 */
import path from 'node:path';
import type { ExtraModelDir } from './extra-model-paths';

/** ComfyUI's supported_pt_extensions. */
export const PT_EXTENSIONS = ['.ckpt', '.pt', '.pt2', '.bin', '.pth', '.safetensors', '.pkl', '.sft'] as const;

export interface ModelFolderSpec {
  /** folders under the models directory, first wins on duplicate names */
  readonly dirs: readonly string[];
  /** lower-case endings, dot included; [''] means files without an extension (ComfyUI's classifiers) */
  readonly extensions: readonly string[];
}

const pt = (...dirs: string[]): ModelFolderSpec => ({ dirs, extensions: PT_EXTENSIONS });

export const MODEL_FOLDER_TABLE = {
  checkpoints: pt('checkpoints'),
  configs: { dirs: ['configs'], extensions: ['.yaml'] },
  loras: pt('loras'),
  vae: pt('vae'),
  text_encoders: pt('text_encoders', 'clip'),
  diffusion_models: pt('unet', 'diffusion_models'),
  clip_vision: pt('clip_vision'),
  style_models: pt('style_models'),
  embeddings: pt('embeddings'),
  vae_approx: pt('vae_approx'),
  controlnet: pt('controlnet', 't2i_adapter'),
  gligen: pt('gligen'),
  upscale_models: pt('upscale_models'),
  latent_upscale_models: pt('latent_upscale_models'),
  hypernetworks: pt('hypernetworks'),
  photomaker: pt('photomaker'),
  classifiers: { dirs: ['classifiers'], extensions: [''] },
  model_patches: pt('model_patches'),
  audio_encoders: pt('audio_encoders'),
} as const satisfies Record<string, ModelFolderSpec>;

export type ModelFolderKey = keyof typeof MODEL_FOLDER_TABLE;
export const MODEL_FOLDER_KEYS = Object.keys(MODEL_FOLDER_TABLE) as ModelFolderKey[];

/** ComfyUI's map_legacy: old folder names still accepted wherever a key is. */
export const LEGACY_FOLDER_NAMES = { unet: 'diffusion_models', clip: 'text_encoders' } as const satisfies Record<string, ModelFolderKey>;
export type ModelFolderName = ModelFolderKey | keyof typeof LEGACY_FOLDER_NAMES;

/** ComfyUI folder names that are not model folders we list (custom node code, diffusers folders). */
export const NON_MODEL_FOLDER_NAMES: readonly string[] = ['custom_nodes', 'diffusers'];

export function isModelFolderKey(name: string): name is ModelFolderKey {
  return Object.hasOwn(MODEL_FOLDER_TABLE, name);
}

/** The key a folder name stands for (legacy names mapped), or null when it is not a model folder. */
export function mapLegacyFolder(name: string): ModelFolderKey | null {
  if (Object.hasOwn(LEGACY_FOLDER_NAMES, name)) return LEGACY_FOLDER_NAMES[name as keyof typeof LEGACY_FOLDER_NAMES];
  return isModelFolderKey(name) ? name : null;
}

export function folderKey(name: ModelFolderName): ModelFolderKey {
  const key = mapLegacyFolder(name);
  if (!key) throw new Error(`"${name}" is not a model folder; expected one of ${MODEL_FOLDER_KEYS.join(', ')}.`);
  return key;
}

/** The accepted extension of a file name (lower-cased), '' for an extension-less name, or null when not accepted. */
export function acceptedExtension(key: ModelFolderKey, fileName: string): string | null {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  const ext = path.extname(base).toLowerCase();
  const accepted: readonly string[] = MODEL_FOLDER_TABLE[key].extensions;
  return accepted.includes(ext) ? ext : null;
}

/**
 * Every directory read for a key, in lookup order: the table's folders under the models directory, then
 * the extra_model_paths.yaml folders in file order, applied like ComfyUI's add_model_folder_path (an
 * `is_default` folder goes, or moves, to the front; a folder already listed is not added twice).
 */
export function modelDirectories(paths: { models: string; extraModelPaths?: { dirs: readonly ExtraModelDir[] } }, name: ModelFolderName): string[] {
  const key = folderKey(name);
  const dirs = MODEL_FOLDER_TABLE[key].dirs.map((d) => path.join(paths.models, d));
  for (const extra of paths.extraModelPaths?.dirs ?? []) {
    if (extra.folder !== key) continue;
    const at = dirs.indexOf(extra.dir);
    if (at >= 0) {
      if (extra.isDefault && at > 0) {
        dirs.splice(at, 1);
        dirs.unshift(extra.dir);
      }
    } else if (extra.isDefault) dirs.unshift(extra.dir);
    else dirs.push(extra.dir);
  }
  return dirs;
}
