/** Messages between the server thread and the prepare worker. */
import type { Overrides } from './overrides';
import type { Prepared } from './prepare';

export interface PrepareRequest {
  id: number;
  input: unknown;
  overrides: Overrides;
  /** false: a workflow with errors comes back without its (possibly huge) normalised form */
  keepInvalid: boolean;
}

export type PrepareReply = { id: number; ok: true; prepared: Prepared } | { id: number; ok: false; message: string };
