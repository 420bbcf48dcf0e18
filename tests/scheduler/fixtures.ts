import { REGISTRY, type Registry } from '../../nodes/registry';
import type { NodeImplementation } from '../../nodes/node';
import type { SocketType } from '../../nodes/types';
import type { Workflow } from '../../nodes/workflow/schema';
import type { ModelLookup, ValidationEnv } from '../../server/scheduler/validate';

export const SCHEMAS = REGISTRY.schemas;

export function txt2img(seed: number | string = 1): Workflow {
  return {
    format: 'latentloom.workflow',
    version: 2,
    nodes: {
      ckpt: { type: 'CheckpointLoaderSimple', version: 1, params: { ckpt_name: 'tiny-sd1.safetensors' }, inputs: {} },
      pos: { type: 'CLIPTextEncode', version: 1, params: { text: 'a cat' }, inputs: { clip: { node: 'ckpt', output: 'CLIP' } } },
      neg: { type: 'CLIPTextEncode', version: 1, params: { text: '' }, inputs: { clip: { node: 'ckpt', output: 'CLIP' } } },
      latent: { type: 'EmptyLatentImage', version: 1, params: { width: 64, height: 64, batch_size: 1 }, inputs: {} },
      sampler: {
        type: 'KSampler',
        version: 1,
        params: { seed, steps: 4 },
        inputs: {
          model: { node: 'ckpt', output: 'MODEL' },
          positive: { node: 'pos', output: 'CONDITIONING' },
          negative: { node: 'neg', output: 'CONDITIONING' },
          latent_image: { node: 'latent', output: 'LATENT' },
        },
      },
      decode: {
        type: 'VAEDecode',
        version: 1,
        params: {},
        inputs: { samples: { node: 'sampler', output: 'LATENT' }, vae: { node: 'ckpt', output: 'VAE' } },
      },
      save: { type: 'SaveImage', version: 1, params: { filename_prefix: 'test' }, inputs: { images: { node: 'decode', output: 'IMAGE' } } },
    },
  };
}

export function fakeEnv(models: string[] = ['tiny-sd1.safetensors', 'other-model.safetensors']): ValidationEnv {
  return {
    findModel: (folder, name): ModelLookup =>
      models.includes(name)
        ? { ok: true }
        : { ok: false, message: `Model "${name}" not found in ${folder}`, suggestions: models.filter((m) => m.slice(0, 4) === name.slice(0, 4)) },
    inputFileExists: (n) => n === 'in.png',
  };
}

/** A value that passes the scheduler's check for a socket type (fake runs need no ML). */
export function fakeValue(type: SocketType, tag: string): unknown {
  const tensor = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  switch (type) {
    case 'MODEL':
      return { kind: 'model', tag };
    case 'CLIP':
      return { kind: 'clip', tag };
    case 'VAE':
      return { kind: 'vae', tag };
    case 'CONDITIONING':
      return { kind: 'conditioning', entries: [], tag };
    case 'LATENT':
      return { samples: tensor([1, 4, 8, 8]), tag };
    case 'IMAGE':
      return tensor([1, 8, 8, 3]);
    case 'MASK':
      return tensor([1, 8, 8]);
    case 'INT':
      return 1;
    case 'FLOAT':
      return 1.5;
    case 'STRING':
    case 'COMBO':
      return tag;
    case 'BOOLEAN':
      return true;
    default:
      return { tag };
  }
}

/** The real schemas with implementations that record their calls and return fake values of the declared types. */
export function countingRegistry(override: Record<string, NodeImplementation['run']> = {}): { registry: Registry; calls: string[] } {
  const calls: string[] = [];
  const impls = new Map<string, NodeImplementation>();
  for (const schema of REGISTRY.list) {
    impls.set(schema.id, {
      schema,
      run:
        override[schema.id] ??
        (async ({ ctx }) => {
          calls.push(ctx.nodeId);
          return Object.fromEntries(schema.outputs.map((o) => [o.name, fakeValue(o.type, `${ctx.nodeId}.${o.name}`)]));
        }),
    });
  }
  const registry: Registry = { list: REGISTRY.list, schemas: REGISTRY.schemas, implementation: (id) => impls.get(REGISTRY.schemas[id]?.id ?? id) };
  return { registry, calls };
}
