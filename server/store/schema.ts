/**
 * Table shapes as Kysely sees them (migrations/ creates them). JSON columns are text in both backends:
 * the prepared workflow is stored whole, never modelled in SQL. Times used for leases are milliseconds
 * of the database's clock, so hosts with skewed clocks agree.
 */
import type { Generated } from 'kysely';

export interface JobsTable {
  /** queue order */
  seq: Generated<number>;
  id: string;
  status: string;
  /** JSON: the exact workflow that runs, overrides applied */
  workflow: string;
  title: string | null;
  /** JSON string[]: placement keys of its checkpoints */
  model_keys: string;
  created_at: string;
  enqueued_ms: number;
  started_at: string | null;
  finished_at: string | null;
  /** JSON OutputFile[] */
  files: string;
  /** JSON JobError */
  error: string | null;
  attempts: number;
  lease_owner: string | null;
  lease_expires_ms: number | null;
  cancel_requested: number;
  worker: string | null;
  placement: string | null;
  run_ms: number | null;
}

export interface WorkersTable {
  id: string;
  host: string;
  pid: number;
  device: string;
  free_memory: number;
  /** JSON string[] */
  models: string;
  started_at: string;
  heartbeat_ms: number;
}

export interface EventsTable {
  id: Generated<number>;
  job_id: string;
  /** JSON JobEventBody */
  body: string;
  created_ms: number;
}

export interface LibraryTable {
  name: string;
  title: string | null;
  node_count: number;
  bytes: number;
  modified: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Database {
  jobs: JobsTable;
  workers: WorkersTable;
  events: EventsTable;
  library: LibraryTable;
  meta: MetaTable;
}
