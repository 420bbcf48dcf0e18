/** Prepare worker thread: parses and validates big workflows so the server thread keeps answering meanwhile. */
import { parentPort, workerData } from 'node:worker_threads';
import type { SchemaMap } from '../../nodes/schemas';
import type { LoomPaths } from '../config/paths';
import { prepareWorkflow } from './prepare';
import type { PrepareReply, PrepareRequest } from './prepare-protocol';

const port = parentPort;
if (!port) throw new Error('prepare-worker.ts must run in a worker thread');
const { schemas, paths } = workerData as { schemas: SchemaMap; paths: LoomPaths };

port.on('message', (req: PrepareRequest) => {
  prepareWorkflow(req.input, req.overrides, schemas, paths).then(
    (prepared) => {
      const reply = req.keepInvalid || prepared.errors.length === 0 ? prepared : { ...prepared, workflow: null };
      port.postMessage({ id: req.id, ok: true, prepared: reply } satisfies PrepareReply);
    },
    (e: unknown) => port.postMessage({ id: req.id, ok: false, message: e instanceof Error ? e.message : String(e) } satisfies PrepareReply),
  );
});
