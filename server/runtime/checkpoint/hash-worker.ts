/**
 * sha256 on a worker thread: a merge's main thread runs the merge kernel, so hashing its reads there would add
 * to the merge's time; on the worker it runs beside it (a second core). Each update is a copy (the merge reuses
 * its read buffers), handed over without a second copy.
 */
import { createHash, type Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export interface HashSink {
  update(bytes: Uint8Array): void;
  digest(): Promise<string>;
}

// plain JS, so the worker needs no TypeScript loader
const WORKER = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const open = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'update') {
    let h = open.get(m.id);
    if (!h) open.set(m.id, (h = createHash('sha256')));
    h.update(new Uint8Array(m.buf));
  } else {
    const h = open.get(m.id) ?? createHash('sha256');
    open.delete(m.id);
    parentPort.postMessage({ id: m.id, hex: h.digest('hex') });
  }
});
`;

let worker: Worker | undefined;
let nextId = 0;
const waiting = new Map<number, { resolve: (hex: string) => void; reject: (e: unknown) => void }>();
let digests = 0;

function shared(): Worker {
  if (!worker) {
    const w = new Worker(WORKER, { eval: true });
    w.on('message', (m: { id: number; hex: string }) => {
      waiting.get(m.id)?.resolve(m.hex);
      waiting.delete(m.id);
    });
    // a dead worker fails the hashes it held (the merge still completes; a later hash reads the file)
    const fail = (e: unknown) => {
      if (worker === w) worker = undefined;
      for (const p of waiting.values()) p.reject(e instanceof Error ? e : new Error(`hash worker stopped (${String(e)})`));
      waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', fail);
    // held (ref) only while a digest is awaited: a hash abandoned half way never keeps the process alive
    w.unref();
    worker = w;
  }
  return worker;
}

class WorkerSink implements HashSink {
  private readonly id = nextId++;
  private readonly w = shared();
  update(bytes: Uint8Array): void {
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    this.w.postMessage({ op: 'update', id: this.id, buf: copy.buffer }, [copy.buffer]);
  }
  digest(): Promise<string> {
    if (digests++ === 0) this.w.ref();
    return new Promise<string>((resolve, reject) => {
      waiting.set(this.id, { resolve, reject });
      this.w.postMessage({ op: 'digest', id: this.id });
    }).finally(() => {
      if (--digests === 0) this.w.unref();
    });
  }
}

class InlineSink implements HashSink {
  private readonly h: Hash = createHash('sha256');
  update(bytes: Uint8Array): void {
    this.h.update(bytes);
  }
  async digest(): Promise<string> {
    return this.h.digest('hex');
  }
}

/** A sha256 for streamed bytes: on the shared worker thread unless LOOM_HASH_WORKER=0. */
export function hashSink(): HashSink {
  if (process.env.LOOM_HASH_WORKER === '0') return new InlineSink();
  try {
    return new WorkerSink();
  } catch {
    return new InlineSink();
  }
}
