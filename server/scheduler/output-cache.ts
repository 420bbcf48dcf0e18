/**
 * Node outputs keyed by input signature. After each successful run only that run's keys are kept,
 * so memory stays at one workflow's worth of intermediate values (as ComfyUI's classic cache).
 */
import type { NodeOutputs, OutputFile } from '../../nodes/node';

export interface CachedNode {
  outputs: NodeOutputs;
  files: OutputFile[];
}

export class OutputCache {
  private readonly entries = new Map<string, CachedNode>();

  get(key: string): CachedNode | undefined {
    return this.entries.get(key);
  }
  set(key: string, value: CachedNode): void {
    this.entries.set(key, value);
  }
  retainOnly(keys: ReadonlySet<string>): void {
    for (const k of [...this.entries.keys()]) if (!keys.has(k)) this.entries.delete(k);
  }
  get size(): number {
    return this.entries.size;
  }
  clear(): void {
    this.entries.clear();
  }
}
