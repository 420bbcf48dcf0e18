/**
 * Which queued job an idle worker should take (pure, so it is tested on its own). A job goes first to a
 * worker that already holds its checkpoint; one whose checkpoint no live worker holds goes to whoever is
 * idle (the least loaded); a job for a checkpoint another worker holds is left to that worker unless too
 * many such jobs wait per holder, or it has waited too long, so a hot checkpoint spreads instead of queueing.
 */
import type { Placement } from './types';

export interface Candidate {
  id: string;
  /** placement keys of the checkpoints it loads; empty: no checkpoint */
  keys: readonly string[];
  /** how long it has been queued */
  ageMs: number;
}

export interface PlacementPolicy {
  stealAfter: number;
  stealAfterMs: number;
  fifo?: boolean;
}

export interface Choice {
  id: string;
  placement: Placement;
}

const holdsAll = (held: ReadonlySet<string>, keys: readonly string[]) => keys.every((k) => held.has(k));
const signature = (keys: readonly string[]) => [...keys].sort().join('|');

/**
 * `candidates` in queue order; `mine`: what this worker holds; `others`: for each other live worker, what it
 * holds or is loading (its advertised models plus those of the job it runs).
 */
export function chooseJob(candidates: readonly Candidate[], mine: ReadonlySet<string>, others: readonly ReadonlySet<string>[], policy: PlacementPolicy): Choice | null {
  const placementOf = (c: Candidate): Placement => (c.keys.length === 0 ? 'none' : holdsAll(mine, c.keys) ? 'hit' : 'miss');
  if (policy.fifo) return candidates.length > 0 ? { id: candidates[0].id, placement: placementOf(candidates[0]) } : null;

  const waiting = new Map<string, number>();
  for (const c of candidates) if (c.keys.length > 0) waiting.set(signature(c.keys), (waiting.get(signature(c.keys)) ?? 0) + 1);
  const takeable = (c: Candidate): boolean => {
    if (c.keys.length === 0) return true;
    const holders = others.filter((held) => holdsAll(held, c.keys)).length;
    if (holders === 0) return true;
    return c.ageMs >= policy.stealAfterMs || (waiting.get(signature(c.keys)) ?? 0) > policy.stealAfter * holders;
  };

  let firstHit: Candidate | undefined;
  let firstOther: Candidate | undefined;
  for (const c of candidates) {
    const p = placementOf(c);
    if (p === 'hit') firstHit ??= c;
    else if (!firstOther && takeable(c)) firstOther = c;
    if (firstHit && firstOther) break;
  }
  // jobs without a checkpoint keep their queue order against this worker's hits
  const pick = firstHit && !(firstOther && firstOther.keys.length === 0 && candidates.indexOf(firstOther) < candidates.indexOf(firstHit)) ? firstHit : firstOther;
  return pick ? { id: pick.id, placement: placementOf(pick) } : null;
}
