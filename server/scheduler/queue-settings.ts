/** Queue behaviour, from the environment (each one documented in docs/scale-out.md). */

export interface QueueSettings {
  /** a worker renews its lease every third of this; a job whose worker stops renewing runs again after it */
  leaseMs: number;
  /** a job whose worker died is started at most 1 + retries times, then fails with the cause */
  retries: number;
  /** an idle worker looks for work this often when no signal arrives */
  pollMs: number;
  /** placement: take a job for a checkpoint other workers hold once more than this many wait per holder */
  stealAfter: number;
  /** ... or once it has waited this long */
  stealAfterMs: number;
  /** placement off (FIFO), for comparison */
  fifo: boolean;
}

function intSetting(env: Readonly<Record<string, string | undefined>>, name: string, dflt: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return dflt;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`${name}=${raw}: expected an integer >= ${min}.`);
  return v;
}

export function queueSettingsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): QueueSettings {
  return {
    leaseMs: intSetting(env, 'LOOM_LEASE_MS', 30_000, 300),
    retries: intSetting(env, 'LOOM_JOB_RETRIES', 1, 0),
    pollMs: intSetting(env, 'LOOM_POLL_MS', 1000, 10),
    stealAfter: intSetting(env, 'LOOM_PLACEMENT_STEAL_AFTER', 4, 0),
    stealAfterMs: intSetting(env, 'LOOM_PLACEMENT_WAIT_MS', 60_000, 0),
    fifo: env.LOOM_PLACEMENT === 'fifo',
  };
}
