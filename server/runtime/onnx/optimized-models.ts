import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';

/** How a CPU session came to be: optimised now, optimised now and saved, or loaded already optimised. */
export type SessionOrigin = 'built' | 'saved' | 'reloaded';

/** Folder prefix of saved models inside the weight cache (WeightCache evicts them with the weight files). */
export const OPTIMIZED_PREFIX = 'ort-';
const MODEL = 'model.onnx';
const DATA = 'weights.bin';

let cpuSig: string | undefined;

/**
 * The instruction set onnxruntime specialised for: its NCHWc layout pass blocks conv weights by the
 * vector width (8 floats with AVX2, 16 with AVX-512), so a saved model is only valid on the same kind of CPU.
 */
export function cpuSignature(): string {
  if (cpuSig) return cpuSig;
  let flags = '';
  try {
    flags = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? '';
  } catch {
    // not Linux: model name and architecture still separate the common cases
  }
  cpuSig = `${process.arch}|${os.cpus()[0]?.model ?? ''}|${flags}`;
  return cpuSig;
}

export function optimizedModelKey(model: Uint8Array, signature = cpuSignature()): string {
  return createHash('sha256').update(model).update(`\n${ort.env.versions.node}\n${signature}`).digest('hex').slice(0, 40);
}

/**
 * onnxruntime's full CPU optimisation ('all', with NCHWc conv layouts) costs the SD1.5 UNet 6-10 s and a copy
 * of every conv weight at each session start; 'extended' starts in ~1 s but steps ~12 % slower. onnxruntime
 * can save the optimised graph with its reordered weights as external data, and that reloads in ~1 s with
 * optimisation off at full speed. A model is saved the second time it is built
 * (a marker notes the first), so one-off variants, such as a LoRA strength tried once, never write a
 * multi-GB copy.
 */
export class OptimizedModelStore {
  constructor(readonly root: string, private readonly log: (line: string) => void = () => {}) {}

  /** `prepare` writes the weight files `model` points at; a reload needs none of them, so it runs only before a build. */
  async create(
    model: Uint8Array, base: ort.InferenceSession.SessionOptions, label: string, prepare: () => Promise<void> = async () => {},
  ): Promise<{ session: ort.InferenceSession; origin: SessionOrigin }> {
    const key = optimizedModelKey(model);
    const dir = path.join(this.root, OPTIMIZED_PREFIX + key);
    const marker = `${dir}.seen`;
    const saved = path.join(dir, MODEL);
    if (await exists(saved)) {
      try {
        const session = await ort.InferenceSession.create(saved, { ...base, graphOptimizationLevel: 'disabled', extra: withoutFolder(base.extra) });
        const now = new Date();
        await utimes(dir, now, now).catch(() => undefined); // LRU age for eviction
        this.log(`[loom] ${label}: reloaded onnxruntime's optimised model from ${dir}`);
        return { session, origin: 'reloaded' };
      } catch (e) {
        this.log(`[loom] ${label}: saved optimised model ${dir} unusable (${firstLine(e)}); rebuilding it`);
        await rm(dir, { recursive: true, force: true });
      }
    }
    await prepare();
    if (!(await exists(marker))) {
      await mkdir(this.root, { recursive: true });
      await writeFile(marker, '').catch(() => undefined);
      return { session: await ort.InferenceSession.create(model, base), origin: 'built' };
    }
    const tmp = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(tmp, { recursive: true });
      const session = await ort.InferenceSession.create(model, {
        ...base,
        optimizedModelFilePath: path.join(tmp, MODEL),
        extra: {
          ...base.extra,
          session: {
            ...(base.extra?.session as Record<string, string> | undefined),
            optimized_model_external_initializers_file_name: DATA,
            optimized_model_external_initializers_min_size_in_bytes: '1024',
            // not `save_external_prepacked_constant_initializers`: with it, onnxruntime 1.30 crashes (SIGSEGV)
            // running our reloaded CLIP text encoder, though the UNet and VAE load faster and map their weights
          },
        },
      });
      // another process may have saved the same model meanwhile: theirs is as good
      await rename(tmp, dir).catch(() => rm(tmp, { recursive: true, force: true }));
      await rm(marker, { force: true });
      this.log(`[loom] ${label}: saved onnxruntime's optimised model to ${dir}; later starts reload it`);
      return { session, origin: 'saved' };
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      this.log(`[loom] ${label}: could not save the optimised model (${firstLine(e)}); using it unsaved`);
      return { session: await ort.InferenceSession.create(model, base), origin: 'built' };
    }
  }
}

/** A saved model resolves its weights file against its own folder, not the weight cache's. */
function withoutFolder(extra: ort.InferenceSession.SessionOptions['extra']): ort.InferenceSession.SessionOptions['extra'] {
  if (!extra?.session) return extra;
  const { model_external_initializers_file_folder_path: _drop, ...session } = extra.session as Record<string, string>;
  return { ...extra, session };
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}
