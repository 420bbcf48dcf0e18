/**
 * Reading an upscale-model file into one flat state dict, as ComfyUI's UpscaleModelLoader does: comfy.utils
 * load_torch_file (a torch file's `state_dict`, or its only entry when that is a dict), then spandrel's
 * canonicalize_state_dict (the first of its wrapper keys holding a dict — `params_ema` before `params` —, a single
 * nested dict, then a `module.` / `netG.` prefix every key shares).
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { LEGACY_MESSAGE, sniff } from '../../io/checkpoint-file';
import { CheckpointFormatError } from '../../io/ckpt/errors';
import { TensorSpec, type PyDict, type PyValue } from '../../io/ckpt/pickle-values';
import { readTorchArchive, type TorchArchive } from '../../io/ckpt/torch';
import { openSafetensors } from '../../io/safetensors';
import type { StateDict } from '../../io/tensor';

/** spandrel's unwrap keys, in its order */
export const WRAPPER_KEYS = ['model_state_dict', 'state_dict', 'params_ema', 'params-ema', 'params', 'model', 'net'] as const;
/** prefixes removed when every key has them (spandrel), in this order */
export const COMMON_PREFIXES = ['module.', 'netG.'] as const;

export interface UpscaleFile {
  format: 'safetensors' | 'pth';
  tensors: StateDict;
  /** the wrapper keys that were unwrapped and prefixes removed, outermost first (for messages and tests) */
  unwrapped: string[];
}

export async function readUpscaleFile(file: string): Promise<UpscaleFile> {
  const name = path.basename(file);
  let size: number;
  try {
    const st = await stat(file);
    if (st.isDirectory()) throw new CheckpointFormatError(`${name}: is a directory, not a model file`);
    size = st.size;
  } catch (e) {
    if (e instanceof CheckpointFormatError) throw e;
    throw new CheckpointFormatError(`${name}: cannot open (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const head = Buffer.alloc(16);
  const fh = await open(file, 'r');
  try {
    await fh.read(head, 0, 16, 0);
  } finally {
    await fh.close();
  }
  const kind = sniff(head.subarray(0, Math.min(16, size)));
  if (kind === 'safetensors') {
    const f = await openSafetensors(file);
    return withoutCommonPrefix({ format: 'safetensors', tensors: f.tensors, unwrapped: [] });
  }
  if (kind === 'torch-zip') return withoutCommonPrefix(fromArchive(await readTorchArchive(file, size)));
  if (kind === 'torch-legacy') throw new CheckpointFormatError(`${name}: ${LEGACY_MESSAGE}`);
  throw new CheckpointFormatError(
    size === 0 ? `${name}: file is empty` : `${name}: not a model file (neither .safetensors nor a PyTorch zip archive by its first bytes)`,
  );
}

const isDict = (v: PyValue | undefined): v is PyDict => v instanceof Map;

function fromArchive(archive: TorchArchive): UpscaleFile {
  const name = path.basename(archive.path);
  const root = archive.root;
  if (!isDict(root)) throw new CheckpointFormatError(`${name}: the pickle holds a ${typeName(root)}, not a dict of tensors`);
  const unwrapped: string[] = [];
  let sd: PyDict = root;
  // comfy.utils.load_torch_file
  const stateDict = sd.get('state_dict');
  if (sd.has('state_dict') && isDict(stateDict)) {
    sd = stateDict;
    unwrapped.push('state_dict');
  } else if (!sd.has('state_dict')) {
    sd = onlyDict(sd, unwrapped);
  }
  // spandrel canonicalize_state_dict
  for (const key of WRAPPER_KEYS) {
    const inner = sd.get(key);
    if (isDict(inner)) {
      sd = inner;
      unwrapped.push(key);
      break;
    }
  }
  sd = onlyDict(sd, unwrapped);
  const tensors: StateDict = new Map();
  for (const [k, v] of sd) if (v instanceof TensorSpec) tensors.set(String(k), archive.tensor(String(k), v));
  if (tensors.size === 0) {
    const keys = [...sd.keys()].slice(0, 10).map(String).join(', ');
    throw new CheckpointFormatError(
      `${name}: no tensors found${unwrapped.length ? ` inside ${unwrapped.join(' → ')}` : ''} (keys: ${keys || 'none'})`,
    );
  }
  return { format: 'pth', tensors, unwrapped };
}

/** a dict whose only entry is a dict stands for that inner dict */
function onlyDict(sd: PyDict, unwrapped: string[]): PyDict {
  if (sd.size !== 1) return sd;
  const [[k, v]] = [...sd];
  if (!isDict(v)) return sd;
  unwrapped.push(String(k));
  return v;
}

function withoutCommonPrefix(f: UpscaleFile): UpscaleFile {
  let tensors = f.tensors;
  const unwrapped = [...f.unwrapped];
  for (const prefix of COMMON_PREFIXES) {
    if (tensors.size > 0 && [...tensors.keys()].every((k) => k.startsWith(prefix))) {
      const renamed: StateDict = new Map();
      for (const [k, t] of tensors) renamed.set(k.slice(prefix.length), t);
      tensors = renamed;
      unwrapped.push(prefix);
    }
  }
  return { ...f, tensors, unwrapped };
}

function typeName(v: PyValue): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? v.constructor.name : typeof v;
}
