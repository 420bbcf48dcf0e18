/**
 * What a worker tells the placement about the checkpoints it holds: the ones its recent jobs loaded, most
 * recent first, within its model budget (LOOM_MODEL_CACHE_MB), mirroring the least-recently-used model
 * cache the executor keeps. A checkpoint counts twice its file size (the file's tensors plus the sessions
 * built from them); the newest one is always kept.
 */
export class Residency {
  private readonly entries = new Map<string, { aliases: Set<string>; bytes: number }>();

  constructor(readonly budgetBytes: number) {}

  /** `id`: the file this host loaded; `aliases`: the keys jobs may name it by (sha256, file:<name>) */
  touch(id: string, aliases: readonly string[], fileBytes: number): void {
    const prev = this.entries.get(id);
    this.entries.delete(id);
    this.entries.set(id, { aliases: new Set([...(prev?.aliases ?? []), ...aliases]), bytes: fileBytes * 2 });
    let used = 0;
    for (const e of this.entries.values()) used += e.bytes;
    for (const [key, e] of this.entries) {
      if (used <= this.budgetBytes || key === id) break;
      this.entries.delete(key);
      used -= e.bytes;
    }
  }

  addAlias(id: string, alias: string): boolean {
    const e = this.entries.get(id);
    if (!e || e.aliases.has(alias)) return false;
    e.aliases.add(alias);
    return true;
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** every alias of every held checkpoint, most recently used first */
  keys(): string[] {
    return [...this.entries.values()].reverse().flatMap((e) => [...e.aliases]);
  }
}
