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
 * This worker's acceptable jobs, best first: jobs that cost it no load (its checkpoints' and checkpoint-free
 * ones) in queue order, then jobs it may load a checkpoint for. Concurrent claimers race down this list,
 * skipping rows another claimer holds. `candidates` in queue order; `mine`: what this worker holds;
 * `others`: for each other live worker, what it holds or is loading (its advertised models plus its job's).
 */
export function rankJobs(
  candidates: readonly Candidate[],
  mine: ReadonlySet<string>,
  others: readonly ReadonlySet<string>[],
  policy: PlacementPolicy,
  max = 32,
): Choice[] {
  const placementOf = (c: Candidate): Placement => (c.keys.length === 0 ? 'none' : holdsAll(mine, c.keys) ? 'hit' : 'miss');
  if (policy.fifo) return candidates.slice(0, max).map((c) => ({ id: c.id, placement: placementOf(c) }));

  const waiting = new Map<string, number>();
  for (const c of candidates) if (c.keys.length > 0) waiting.set(signature(c.keys), (waiting.get(signature(c.keys)) ?? 0) + 1);
  const takeable = (c: Candidate): boolean => {
    const holders = others.filter((held) => holdsAll(held, c.keys)).length;
    if (holders === 0) return true;
    return c.ageMs >= policy.stealAfterMs || (waiting.get(signature(c.keys)) ?? 0) > policy.stealAfter * holders;
  };
  const free: Choice[] = [];
  const loads: Choice[] = [];
  for (const c of candidates) {
    const placement = placementOf(c);
    if (placement !== 'miss') free.push({ id: c.id, placement });
    else if (loads.length < max && takeable(c)) loads.push({ id: c.id, placement });
    if (free.length >= max) break;
  }
  return [...free, ...loads].slice(0, max);
}

/** The best job for this worker now, or null when it should wait (see rankJobs). */
export function chooseJob(
  candidates: readonly Candidate[],
  mine: ReadonlySet<string>,
  others: readonly ReadonlySet<string>[],
  policy: PlacementPolicy,
): Choice | null {
  return rankJobs(candidates, mine, others, policy, 1)[0] ?? null;
}
