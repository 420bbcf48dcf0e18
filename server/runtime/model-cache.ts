/**
 * Loaded/materialised models kept in an LRU bounded by a byte budget. Entries in use by a running
 * node are never evicted mid-run because loaders hand out values, not leases: an evicted model is
 * only dropped from the cache, and the node holding it keeps its reference until it finishes.
 */
export interface CachedModel<T> {
  value: T;
  bytes: number;
  dispose?: () => void;
}

export class ModelCache {
  private readonly entries = new Map<string, CachedModel<unknown>>();
  private readonly loading = new Map<string, Promise<CachedModel<unknown>>>();
  private used = 0;

  constructor(readonly budgetBytes: number) {}

  get usedBytes(): number {
    return this.used;
  }
  /** Loaded and held now (not merely loading). */
  has(key: string): boolean {
    return this.entries.has(key);
  }
  keys(): string[] {
    return [...this.entries.keys()];
  }

  async get<T>(key: string, load: () => Promise<CachedModel<T>>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit); // most recently used goes last
      return hit.value as T;
    }
    const pending = this.loading.get(key);
    if (pending) return (await pending).value as T;
    const p = load() as Promise<CachedModel<unknown>>;
    this.loading.set(key, p);
    try {
      const entry = await p;
      this.entries.set(key, entry);
      this.used += entry.bytes;
      this.evict(key);
      return entry.value as T;
    } finally {
      this.loading.delete(key);
    }
  }

  /** Drops least recently used entries until within budget, keeping `keep` (the one just loaded). */
  private evict(keep: string): void {
    for (const [key, entry] of this.entries) {
      if (this.used <= this.budgetBytes) break;
      if (key === keep) continue;
      this.entries.delete(key);
      this.used -= entry.bytes;
      entry.dispose?.();
    }
  }

  clear(): void {
    for (const e of this.entries.values()) e.dispose?.();
    this.entries.clear();
    this.used = 0;
  }
}
