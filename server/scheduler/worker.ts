/** Worker thread: owns the node-output cache and model LRU; the main thread only queues and relays events. */
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { LoomPaths } from '../config/paths';
import { createInProcessExecutor } from './inprocess-executor';
import { JobFailure } from './executor';
import type { ToWorker, FromWorker } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
// On Linux a nice value is per thread (and inherited by threads this one starts, e.g. ONNX Runtime's pool):
// sampling yields the CPU to the thread answering the API.
try {
  os.setPriority(0, Number(process.env.LOOM_WORKER_NICE ?? 10));
} catch {
  // not permitted or not supported: run at normal priority
}
const executor = createInProcessExecutor((workerData as { paths: LoomPaths }).paths);
const running = new Map<string, AbortController>();
const send = (m: FromWorker) => port.postMessage(m);

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'cancel') {
    running.get(msg.jobId)?.abort();
    return;
  }
  if (msg.type === 'free') {
    void executor.free?.({ models: msg.models, outputs: msg.outputs });
    return;
  }
  const ac = new AbortController();
  running.set(msg.job.id, ac);
  executor
    .run(msg.job, (event) => send({ type: 'event', event }), ac.signal)
    .then(
      (result) => send({ type: 'done', jobId: msg.job.id, files: result.files }),
      (e: unknown) =>
        send({
          type: 'error',
          jobId: msg.job.id,
          cancelled: ac.signal.aborted,
          message: e instanceof Error ? e.message : String(e),
          nodeId: e instanceof JobFailure ? e.nodeId : undefined,
          input: e instanceof JobFailure ? e.input : undefined,
        }),
    )
    .finally(() => running.delete(msg.job.id));
});
