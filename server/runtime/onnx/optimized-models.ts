import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { whenIdle } from './activity';

/** How a CPU session came to be: optimised now (and maybe saved in the background), or loaded already optimised. */
export type SessionOrigin = 'built' | 'reloaded';

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
 * multi-GB copy; the save runs in the background after the user's session is built.
 */
export class OptimizedModelStore {
  constructor(
    readonly root: string,
    private readonly log: (line: string) => void = () => {},
    /** onnxruntime's session factory; tests pass a slow fake */
    private readonly ortCreate: (model: Uint8Array | string, options: ort.InferenceSession.SessionOptions) => Promise<ort.InferenceSession> = (
      m,
      o,
    ) => (typeof m === 'string' ? ort.InferenceSession.create(m, o) : ort.InferenceSession.create(m, o)),
    /** the save waits until no session has run or been built for this long, so the job in progress keeps the CPU */
    private readonly quietMs = Number(process.env.LOOM_SAVE_OPTIMIZED_QUIET_MS ?? 2000),
  ) {}

  /** `prepare` writes the weight files `model` points at; a reload needs none of them, so it runs only before a build. */
  async create(
    model: Uint8Array,
    base: ort.InferenceSession.SessionOptions,
    label: string,
    prepare: () => Promise<void> = async () => {},
  ): Promise<{ session: ort.InferenceSession; origin: SessionOrigin }> {
    const key = optimizedModelKey(model);
    const dir = path.join(this.root, OPTIMIZED_PREFIX + key);
    const marker = `${dir}.seen`;
    const saved = path.join(dir, MODEL);
    if (await exists(saved)) {
      try {
        const session = await this.ortCreate(saved, { ...base, graphOptimizationLevel: 'disabled', extra: withoutFolder(base.extra) });
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
    const seen = await exists(marker);
    if (!seen) {
      await mkdir(this.root, { recursive: true });
      await writeFile(marker, '').catch(() => undefined);
    }
    const session = await this.ortCreate(model, base);
    // the save is a second optimisation pass with its own copy of the weights: done in the background once the
    // user's session exists, never on their time
    if (seen) this.saveInBackground(model, base, label, dir, marker);
    return { session, origin: 'built' };
  }

  /** The background saves started by this store (tests and the bench wait on them). */
  readonly saving = new Set<Promise<void>>();

  private saveInBackground(model: Uint8Array, base: ort.InferenceSession.SessionOptions, label: string, dir: string, marker: string): void {
    const run = (async () => {
      await whenIdle(this.quietMs);
      const tmp = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await mkdir(tmp, { recursive: true });
        const saver = await this.ortCreate(model, {
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
        await saver.release();
        // another process may have saved the same model meanwhile: theirs is as good
        await rename(tmp, dir).catch(() => rm(tmp, { recursive: true, force: true }));
        await rm(marker, { force: true });
        this.log(`[loom] ${label}: saved onnxruntime's optimised model to ${dir} in the background; later starts reload it`);
      } catch (e) {
        await rm(tmp, { recursive: true, force: true });
        this.log(`[loom] ${label}: could not save the optimised model (${firstLine(e)}); the next build tries again`);
      }
    })();
    this.saving.add(run);
    allSaves.add(run);
    void run.finally(() => {
      this.saving.delete(run);
      allSaves.delete(run);
    });
  }
}

const allSaves = new Set<Promise<void>>();

/** Resolves once every background save started so far in this process has finished (tests, the bench, shutdown). */
export async function backgroundSaves(): Promise<void> {
  while (allSaves.size > 0) await Promise.all(allSaves);
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
