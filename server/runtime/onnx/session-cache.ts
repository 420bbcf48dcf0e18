import os from 'node:os';
import type { LoomSession } from './session';

/** Default memory budget of live sessions: 60 % of RAM (their weights are most of a session's memory). */
function defaultBudget(): number {
  const mb = Number(process.env.LOOM_SESSION_CACHE_MB);
  return mb > 0 ? mb * 2 ** 20 : Math.floor(os.totalmem() * 0.6);
}

interface Entry {
  session: Promise<LoomSession>;
  bytes: number;
}

/**
 * LRU of live sessions keyed by (model kind, config, weights identity, provider choice), limited by the
 * weight bytes they hold (LOOM_SESSION_CACHE_MB, default 60 % of RAM) and by count (LOOM_SESSION_CACHE_SIZE,
 * default 8). The newest session always stays. Evicted sessions are released once their creation settles
 * and their in-flight runs end; holders re-fetch through `get` (see models/index.ts).
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private total = 0;

  constructor(
    readonly budgetBytes = defaultBudget(),
    readonly limit = Number(process.env.LOOM_SESSION_CACHE_SIZE ?? 8),
  ) {}

  get usedBytes(): number {
    return this.total;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** `bytes`: the weight bytes the session will hold (its share of the budget). */
  get(key: string, create: () => Promise<LoomSession>, bytes = 0): Promise<LoomSession> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.session;
    }
    const made = create();
    const entry = { session: made, bytes };
    this.entries.set(key, entry);
    this.total += bytes;
    made.catch(() => this.drop(key, entry));
    for (const [oldest, e] of this.entries) {
      if (this.entries.size <= 1 || (this.entries.size <= this.limit && this.total <= this.budgetBytes)) break;
      if (oldest === key) continue;
      this.drop(oldest, e);
      void e.session.then((s) => s.release()).catch(() => undefined);
    }
    return made;
  }

  /** Releases one session now; a holder that needs it again re-creates it through `get`. */
  async release(key: string): Promise<void> {
    const e = this.entries.get(key);
    if (!e) return;
    this.drop(key, e);
    await e.session.then((s) => s.release()).catch(() => undefined);
  }

  private drop(key: string, entry: Entry): void {
    if (this.entries.get(key) !== entry) return;
    this.entries.delete(key);
    this.total -= entry.bytes;
  }

  async clear(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    this.total = 0;
    await Promise.all(all.map((e) => e.session.then((s) => s.release()).catch(() => undefined)));
  }
}

export const sessionCache = new SessionCache();
