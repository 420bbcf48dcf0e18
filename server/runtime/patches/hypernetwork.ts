/**
 * A1111 hypernetwork files as ComfyUI's load_hypernetwork_patch reads them: per attention width, two small MLPs
 * (for the key and the value input) built from the `.weight` keys in file order, with the file's activation and
 * optional LayerNorms. Read with our pickle reader (nothing executed). Dropout is an inference no-op here (ComfyUI
 * builds the modules in training mode, so its dropout would be random).
 */
import fs from 'node:fs';
import { readTorchArchive } from '../io/ckpt/torch';
import { TensorSpec, type PyValue } from '../io/ckpt/pickle-values';
import type { StateDict, TensorRef } from '../io/tensor';
import { stateDictProvider } from '../checkpoint/provider';
import type { WeightProvider } from '../checkpoint/weights';

export const HYPERNET_ACTIVATIONS = ['linear', 'relu', 'leakyrelu', 'elu', 'swish', 'tanh', 'sigmoid', 'softsign', 'mish'] as const;
export type HypernetActivation = (typeof HYPERNET_ACTIVATIONS)[number];

export type HypernetLayer = { kind: 'linear'; key: string } | { kind: 'layernorm'; key: string } | { kind: 'act'; fn: HypernetActivation };

export interface Hypernetwork {
  /** attention width → [key MLP, value MLP], each a list of layers; weight names are `${key}.weight/.bias` */
  readonly mlps: ReadonlyMap<number, readonly [readonly HypernetLayer[], readonly HypernetLayer[]]>;
  /** names `<width>.<0|1>.<layer>.weight|bias` */
  readonly weights: WeightProvider;
}

export class HypernetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HypernetworkError';
  }
}

const isActivation = (s: string): s is HypernetActivation => (HYPERNET_ACTIVATIONS as readonly string[]).includes(s);

export async function loadHypernetwork(file: string, signal?: AbortSignal): Promise<Hypernetwork> {
  const archive = await readTorchArchive(file, fs.statSync(file).size, { signal });
  const root = archive.root;
  if (!(root instanceof Map)) throw new HypernetworkError(`${file}: not a hypernetwork (the file holds no dictionary)`);
  const setting = (k: string, dflt: PyValue) => (root.has(k) ? root.get(k) : dflt);
  const activation = String(setting('activation_func', 'linear'));
  if (!isActivation(activation)) {
    throw new HypernetworkError(`${file}: activation "${activation}" is not one ComfyUI supports (${HYPERNET_ACTIVATIONS.join(', ')})`);
  }
  const layerNorm = setting('is_layer_norm', false) === true;
  const activateOutput = setting('activate_output', false) === true;
  const dict: StateDict = new Map<string, TensorRef>();
  const mlps = new Map<number, [HypernetLayer[], HypernetLayer[]]>();
  for (const [k, v] of root) {
    const dim = typeof k === 'number' ? k : typeof k === 'string' && /^\d+$/.test(k) ? Number(k) : Number.NaN;
    if (!Number.isInteger(dim)) continue;
    if (!Array.isArray(v) || v.length < 2) throw new HypernetworkError(`${file}: entry ${dim} is not a (key, value) pair of modules`);
    const pair = [0, 1].map((index) => {
      const sd = v[index];
      if (!(sd instanceof Map)) throw new HypernetworkError(`${file}: entry ${dim}[${index}] is not a state dict`);
      // ComfyUI walks the ".weight" keys in file order: Linear, [activation], [LayerNorm], …
      const names = [...sd.keys()]
        .map(String)
        .filter((n) => n.endsWith('.weight'))
        .map((n) => n.slice(0, -'.weight'.length));
      const layers: HypernetLayer[] = [];
      for (let i = 0; i < names.length; i++) {
        const last = i === names.length - 1;
        const add = (kind: 'linear' | 'layernorm', name: string) => {
          for (const part of ['weight', 'bias']) {
            const spec = sd.get(`${name}.${part}`);
            if (!(spec instanceof TensorSpec)) throw new HypernetworkError(`${file}: ${dim}[${index}] has no tensor ${name}.${part}`);
            dict.set(`${dim}.${index}.${name}.${part}`, archive.tensor(`${dim}.${index}.${name}.${part}`, spec));
          }
          layers.push({ kind, key: `${dim}.${index}.${name}` });
        };
        add('linear', names[i]);
        if (activation !== 'linear' && (!last || activateOutput)) layers.push({ kind: 'act', fn: activation });
        if (layerNorm) {
          i++;
          if (i >= names.length) throw new HypernetworkError(`${file}: ${dim}[${index}] ends without the LayerNorm its settings promise`);
          add('layernorm', names[i]);
        }
      }
      return layers;
    });
    mlps.set(dim, [pair[0], pair[1]]);
  }
  if (mlps.size === 0) throw new HypernetworkError(`${file}: no hypernetwork modules (expected entries keyed by attention width)`);
  return { mlps, weights: stateDictProvider(dict, `hypernet:${file}`) };
}
