import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExtraModelPathsError, loadExtraModelPaths, parseExtraModelPaths } from '../../server/config/extra-model-paths';
import { modelDirectories } from '../../server/config/model-folders';
import { listModels, ModelListCache } from '../../server/config/model-list';
import { resolveModelName } from '../../server/config/model-names';
import { resolvePaths } from '../../server/config/paths';
import { tempDir, touch } from './model-tree';

/** ComfyUI's example file with both sections enabled (the block-scalar comment included, as users copy it). */
const exampleYaml = (comfy: string, a1111: string) => `
comfyui:
     base_path: ${comfy}
     is_default: true
     checkpoints: models/checkpoints/
     text_encoders: |
          models/text_encoders/
          models/clip/  # legacy location still supported
     diffusion_models: |
                  models/diffusion_models
                  models/unet
     loras: models/loras/
     custom_nodes: custom_nodes

a111:
     base_path: ${a1111}
     checkpoints: models/Stable-diffusion
     configs: models/Stable-diffusion
     vae: models/VAE
     loras: |
          models/Lora
          models/LyCORIS
     upscale_models: |
                   models/ESRGAN
                   models/RealESRGAN
                   models/SwinIR
     embeddings: embeddings
     hypernetworks: models/hypernetworks
     controlnet: models/ControlNet
     ipadapter: models/ipadapter
`;

describe('extra_model_paths.yaml', () => {
  it("reads ComfyUI's example sections: base_path, is_default, multi-line values, legacy and unknown keys", () => {
    const dir = tempDir();
    const file = path.join(dir, 'extra_model_paths.yaml');
    const cfg = parseExtraModelPaths(exampleYaml('/srv/comfy', '../webui'), file);
    const of = (folder: string) => cfg.dirs.filter((d) => d.folder === folder).map((d) => [d.dir, d.isDefault]);
    expect(of('text_encoders')).toEqual([
      ['/srv/comfy/models/text_encoders', true],
      ['/srv/comfy/models/clip', true],
    ]);
    expect(of('diffusion_models')).toEqual([
      ['/srv/comfy/models/diffusion_models', true],
      ['/srv/comfy/models/unet', true],
    ]);
    // a relative base_path is relative to the yaml's folder
    const webui = path.resolve(dir, '../webui');
    expect(of('loras')).toEqual([
      ['/srv/comfy/models/loras', true],
      [`${webui}/models/Lora`, false],
      [`${webui}/models/LyCORIS`, false],
    ]);
    expect(of('upscale_models').map(([d]) => d)).toEqual(['ESRGAN', 'RealESRGAN', 'SwinIR'].map((n) => `${webui}/models/${n}`));
    expect(of('configs')).toEqual([[`${webui}/models/Stable-diffusion`, false]]);
    expect(of('embeddings')).toEqual([[`${webui}/embeddings`, false]]);
    expect(cfg.dirs.find((d) => d.folder === 'hypernetworks')?.source).toBe(`${file}:28`);
    expect(cfg.notes).toEqual([
      `${file} line 13: "comfyui.custom_nodes" ignored: not a model folder.`,
      `${file} line 30: "a111.ipadapter" ignored: not a model folder Latent Loom lists (a custom node folder?).`,
    ]);
  });

  it('resolves paths like ComfyUI: no base_path → the yaml folder; absolute lines stay; ~ and $VAR expanded; YAML 1.1 booleans', () => {
    const file = '/cfg/extra.yaml';
    const env = { HOME: '/home/u', MODELS: '/mnt/models' };
    const cfg = parseExtraModelPaths(
      [
        'plain:',
        '  checkpoints: ckpts',
        '  vae: /abs/vae',
        '  loras: ~/loras',
        'based:',
        '  base_path: $MODELS/sd',
        '  is_default: yes',
        '  unet: ./unets/../unet',
        '  clip:',
        '    - list/clip',
        'home:',
        '  base_path: ~/comfy',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} as a user's yaml holds it
        '  embeddings: ${NOT_SET}/emb',
        'empty:',
      ].join('\n'),
      file,
      { env },
    );
    expect(cfg.dirs.map((d) => [d.folder, d.dir, d.isDefault])).toEqual([
      ['checkpoints', '/cfg/ckpts', false],
      ['vae', '/abs/vae', false],
      ['loras', '/home/u/loras', false],
      ['diffusion_models', '/mnt/models/sd/unet', true],
      ['text_encoders', '/mnt/models/sd/list/clip', true],
      // Python's expandvars leaves unknown variables as written, and only base_path is expanded
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an unset variable stays as written
      ['embeddings', '/home/u/comfy/${NOT_SET}/emb', false],
    ]);
    expect(cfg.files).toEqual([file]);
  });

  it('an empty or comment-only file adds nothing', () => {
    expect(parseExtraModelPaths('', '/x.yaml').dirs).toEqual([]);
    expect(parseExtraModelPaths('# comfyui:\n#   base_path: x\n', '/x.yaml').dirs).toEqual([]);
  });

  it('bad YAML and bad values name the file and the line', () => {
    const cases: Array<[string, RegExp]> = [
      ['comfyui:\n  base_path: "unterminated\n', /^\/c\/e\.yaml line 2: invalid YAML: Missing closing "quote/],
      [
        'comfyui:\n  loras: a\n  loras: b\n',
        /^\/c\/e\.yaml line 3: invalid YAML: Map keys must be unique \(each section and folder key may appear once\)/,
      ],
      ['- a\n- b\n', /^\/c\/e\.yaml line 1: expected sections such as "comfyui:"/],
      ['comfyui: just text\n', /^\/c\/e\.yaml line 1: section "comfyui" must hold "key: folder" lines/],
      ['comfyui:\n  base_path: 12\n', /^\/c\/e\.yaml line 2: "comfyui.base_path" must be a folder path/],
      ['comfyui:\n  is_default: maybe\n', /^\/c\/e\.yaml line 2: "comfyui.is_default" must be true or false/],
      ['comfyui:\n  loras:\n    key: value\n', /^\/c\/e\.yaml line 3: "comfyui.loras" must be a folder path, one per line, or a list of them/],
      ['comfyui:\n  loras: [a, 3]\n', /^\/c\/e\.yaml line 2: "comfyui.loras" must be a folder path/],
    ];
    for (const [text, want] of cases) {
      let err: unknown;
      try {
        parseExtraModelPaths(text, '/c/e.yaml');
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(ExtraModelPathsError);
      expect((err as Error).message, text).toMatch(want);
    }
  });

  it('a missing file is a clear error', () => {
    expect(() => loadExtraModelPaths('/nonexistent/extra_model_paths.yaml')).toThrow(
      '/nonexistent/extra_model_paths.yaml: extra model paths file not found.',
    );
  });
});

describe('resolvePaths with extra model paths', () => {
  it('reads <root>/extra_model_paths.yaml, then the named files, and lists their folders after (or, is_default, before) models/', () => {
    const root = tempDir();
    const a1111 = path.join(root, 'webui');
    const comfy = path.join(root, 'ComfyUI');
    touch(path.join(root, 'models/loras/ours.safetensors'));
    touch(path.join(a1111, 'models/Lora/shared.safetensors'));
    touch(path.join(a1111, 'models/LyCORIS/styles/lyco.safetensors'));
    touch(path.join(comfy, 'models/loras/shared.safetensors'));
    touch(path.join(comfy, 'models/loras/comfy.safetensors'));
    touch(path.join(comfy, 'models/unet/flux.sft'));
    fs.writeFileSync(path.join(root, 'extra_model_paths.yaml'), exampleYaml(comfy, a1111));
    const extra = touch(path.join(root, 'cfg/more.yaml'), 'more:\n  loras: ../more-loras\n');
    touch(path.join(root, 'more-loras/more.safetensors'));

    const paths = resolvePaths({ root, extraModelPaths: 'cfg/more.yaml' }, {});
    expect(structuredClone(paths)).toEqual(paths); // plain data: it travels to worker threads
    expect(paths.extraModelPaths?.files).toEqual([path.join(root, 'extra_model_paths.yaml'), extra]);
    expect(modelDirectories(paths, 'loras')).toEqual([
      path.join(comfy, 'models/loras'), // is_default: first
      path.join(root, 'models/loras'),
      path.join(a1111, 'models/Lora'),
      path.join(a1111, 'models/LyCORIS'),
      path.join(root, 'more-loras'),
    ]);
    const cache = new ModelListCache();
    expect(listModels(paths, 'loras', cache)).toEqual([
      'comfy.safetensors',
      'more.safetensors',
      'ours.safetensors',
      'shared.safetensors',
      'styles/lyco.safetensors',
    ]);
    // the same name in two folders: the first folder in lookup order wins (the is_default ComfyUI one here)
    const shared = resolveModelName(paths, 'loras', 'shared.safetensors', cache);
    expect(shared).toMatchObject({ ok: true, path: path.join(comfy, 'models/loras/shared.safetensors') });
    expect(resolveModelName(paths, 'loras', 'lyco', cache)).toMatchObject({ ok: true, name: 'styles/lyco.safetensors', rule: 'extension' });
    expect(resolveModelName(paths, 'unet', 'flux.sft', cache)).toMatchObject({ ok: true, path: path.join(comfy, 'models/unet/flux.sft') });
  });

  it('takes LOOM_EXTRA_MODEL_PATHS (path.delimiter-separated) when no flag is given; the flag wins', () => {
    const root = tempDir();
    const a = touch(path.join(root, 'a.yaml'), 'x:\n  vae: va\n');
    const b = touch(path.join(root, 'b.yaml'), 'x:\n  vae: vb\n');
    const env = { LOOM_EXTRA_MODEL_PATHS: [a, b].join(path.delimiter) };
    expect(resolvePaths({ root }, env).extraModelPaths?.dirs.map((d) => d.dir)).toEqual([path.join(root, 'va'), path.join(root, 'vb')]);
    expect(resolvePaths({ root, extraModelPaths: [b] }, env).extraModelPaths?.files).toEqual([b]);
    expect(resolvePaths({ root }, {}).extraModelPaths).toBeUndefined();
  });

  it('fails at startup on a named file that is missing or malformed', () => {
    const root = tempDir();
    expect(() => resolvePaths({ root, extraModelPaths: 'nope.yaml' }, {})).toThrow(
      `${path.join(root, 'nope.yaml')}: extra model paths file not found.`,
    );
    touch(path.join(root, 'extra_model_paths.yaml'), 'a111:\n  base_path: [\n');
    expect(() => resolvePaths({ root }, {})).toThrow(new RegExp(`^${path.join(root, 'extra_model_paths.yaml')} line 2: invalid YAML`));
  });

  it('is_default folders go to the front in the order ComfyUI puts them, and a folder already listed is not repeated', () => {
    const models = '/m';
    const dirs = [
      { folder: 'vae' as const, dir: '/x/one', isDefault: true, source: 'f:1' },
      { folder: 'vae' as const, dir: '/x/two', isDefault: true, source: 'f:2' },
      { folder: 'vae' as const, dir: '/m/vae', isDefault: false, source: 'f:3' },
      { folder: 'vae' as const, dir: '/x/one', isDefault: true, source: 'f:4' },
      { folder: 'loras' as const, dir: '/x/l', isDefault: false, source: 'f:5' },
    ];
    expect(modelDirectories({ models, extraModelPaths: { dirs } }, 'vae')).toEqual(['/x/one', '/x/two', '/m/vae']);
  });
});
