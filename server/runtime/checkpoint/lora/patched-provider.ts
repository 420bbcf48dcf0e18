import type { FileRange } from '../../io/tensor';
import type { WeightProvider } from '../weights';
import type { Adapter, TensorSlice } from './types';
import { applyAdapter, applyBiasDiff } from './math/patch';

/** One adapter's contribution to one tensor. */
export interface TensorPatch {
  readonly adapter: Adapter;
  /** the weight delta, or the `.diff_b` bias delta */
  readonly part: 'weight' | 'bias';
  readonly slice: TensorSlice;
  readonly strength: number;
  /** the LoRA file identity + strength, for cache keys */
  readonly application: string;
}

/**
 * A WeightProvider that answers patched tensors from a base provider plus patches; the base is never
 * mutated or reloaded. A patched tensor is computed in fp32 on first float32() and memoised.
 */
export class PatchedProvider implements WeightProvider {
  private readonly memo = new Map<string, Promise<Float32Array>>();

  constructor(
    private readonly base: WeightProvider,
    private readonly patches: ReadonlyMap<string, readonly TensorPatch[]>,
  ) {}

  names(): string[] {
    return this.base.names();
  }

  has(name: string): boolean {
    return this.base.has(name);
  }

  info(name: string) {
    const info = this.base.info(name);
    return this.patches.has(name) ? { dtype: 'F32' as const, shape: info.shape } : info;
  }

  fileRange(name: string): FileRange | undefined {
    return this.patches.has(name) ? undefined : this.base.fileRange(name);
  }

  float32(name: string): Promise<Float32Array> {
    const patches = this.patches.get(name);
    if (!patches) return this.base.float32(name);
    let value = this.memo.get(name);
    if (!value) {
      value = this.materialise(name, patches);
      this.memo.set(name, value);
      value.catch(() => this.memo.delete(name));
    }
    return value;
  }

  identity(name: string): string {
    const patches = this.patches.get(name);
    if (!patches) return this.base.identity(name);
    const applications = [...new Set(patches.map((p) => p.application))];
    return `${this.base.identity(name)}+lora[${applications.join(',')}]`;
  }

  private async materialise(name: string, patches: readonly TensorPatch[]): Promise<Float32Array> {
    const w = (await this.base.float32(name)).slice();
    const shape = this.base.info(name).shape;
    const rowLen = shape.slice(1).reduce((a, b) => a * b, 1);
    for (const p of patches) {
      const rows = p.slice.rows;
      const view = rows ? w.subarray(rows.start * rowLen, (rows.start + rows.count) * rowLen) : w;
      const viewShape = rows ? [rows.count, ...shape.slice(1)] : shape;
      if (p.part === 'bias') await applyBiasDiff(view, p.adapter, p.strength);
      else await applyAdapter(view, viewShape, p.adapter, p.strength);
    }
    return w;
  }
}
