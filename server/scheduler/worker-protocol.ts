/** Messages between the server thread and the execution worker. */
import type { OutputFile } from '../../nodes/node';
import type { NodeEventBody } from './events';
import type { ExecuteJob, FreeRequest } from './executor';

export type ToWorker = { type: 'run'; job: ExecuteJob } | { type: 'cancel'; jobId: string } | ({ type: 'free' } & FreeRequest);

export type FromWorker =
  | { type: 'event'; event: NodeEventBody }
  | { type: 'done'; jobId: string; files: OutputFile[] }
  | { type: 'error'; jobId: string; message: string; nodeId?: string; input?: string; cancelled: boolean };
