import { create } from 'zustand';
import type { JobEvent, JobSummary, ValidationIssue } from '@/app/lib/engineApi';

export type NodeRunState = 'queued' | 'running' | 'cached' | 'done' | 'error';

export interface NodeRun {
  state: NodeRunState;
  step?: number;
  total?: number;
  message?: string;
  /** the input the error is about, highlighted on the node */
  input?: string;
}

export interface RunProgress {
  jobId: string;
  node?: string;
  step: number;
  total: number;
  /** ms timestamp of the first step, for the ETA */
  startedAt: number;
  lastAt: number;
}

export interface RunState {
  activeJobId: string | null;
  nodes: Record<string, NodeRun>;
  progress: RunProgress | null;
  previews: Record<string, string>;
  /** warnings a node raised in the current job (e.g. LoRA keys that matched nothing) */
  warnings: Record<string, string[]>;
  outputs: Record<string, string[]>;
  gallery: { jobId: string; node: string; url: string }[];
  jobs: JobSummary[];
  connected: boolean;
  setConnected: (c: boolean) => void;
  setJobs: (jobs: JobSummary[]) => void;
  jobQueued: (jobId: string, nodeIds: string[]) => void;
  applyEvent: (e: JobEvent) => void;
  showIssues: (issues: ValidationIssue[]) => void;
  clearIssues: () => void;
}

/** Output files are paths under output/, which the server serves at /outputs/. */
export function outputUrl(path: string): string {
  return `/outputs/${path.split('/').map(encodeURIComponent).join('/')}`;
}

type Reducible = Pick<RunState, 'activeJobId' | 'nodes' | 'progress' | 'previews' | 'warnings' | 'outputs' | 'gallery'>;

/** Per-node run state from jobs.events; a pure reducer so tests can feed it event lists. */
export function reduceEvent(s: Reducible, e: JobEvent, now = Date.now()): Partial<Reducible> {
  const setNode = (id: string, run: NodeRun) => ({ ...s.nodes, [id]: run });
  switch (e.type) {
    case 'job.queued':
      return {};
    case 'job.started':
      return { activeJobId: e.jobId, progress: null };
    case 'node.started':
      return { nodes: setNode(e.nodeId, { state: 'running' }) };
    case 'node.cached':
      return { nodes: setNode(e.nodeId, { state: 'cached' }) };
    case 'node.finished':
      return { nodes: setNode(e.nodeId, { state: 'done' }) };
    case 'node.warning':
      return { warnings: { ...s.warnings, [e.nodeId]: [...(s.warnings[e.nodeId] ?? []), e.message] } };
    case 'node.progress': {
      const same = s.progress?.jobId === e.jobId && s.progress.node === e.nodeId;
      return {
        nodes: setNode(e.nodeId, { state: 'running', step: e.step, total: e.total }),
        progress: { jobId: e.jobId, node: e.nodeId, step: e.step, total: e.total, startedAt: same && s.progress ? s.progress.startedAt : now, lastAt: now },
        ...(e.preview ? { previews: { ...s.previews, [e.nodeId]: e.preview } } : {}),
      };
    }
    case 'job.finished': {
      const images = e.files.filter((f) => f.kind === 'image' || f.kind === 'preview');
      const outputs = { ...s.outputs };
      for (const f of images) outputs[f.nodeId] = images.filter((g) => g.nodeId === f.nodeId).map((g) => outputUrl(g.path));
      const nodes = Object.fromEntries(
        Object.entries(s.nodes).map(([id, r]) => [id, r.state === 'queued' || r.state === 'running' ? { state: 'done' as const } : r]),
      );
      const gallery = [...images.map((f) => ({ jobId: e.jobId, node: f.nodeId, url: outputUrl(f.path) })), ...s.gallery].slice(0, 200);
      return { activeJobId: null, progress: null, nodes, outputs, gallery };
    }
    case 'job.failed': {
      const target = e.error.nodeId;
      return { activeJobId: null, progress: null, ...(target ? { nodes: setNode(target, { state: 'error', message: e.error.message }) } : {}) };
    }
    case 'job.cancelled':
      return { activeJobId: null, progress: null, nodes: {} };
  }
}

/**
 * Events of jobs this canvas has not been told about yet: a fast job (cached nodes, a free worker) can start
 * and finish before the enqueue answer arrives, so jobQueued replays what came early. Bounded: other
 * clients' jobs pass through here too.
 */
const early: JobEvent[] = [];
const EARLY_MAX = 500;

export const useRunStore = create<RunState>()((set, get) => ({
  activeJobId: null,
  nodes: {},
  progress: null,
  previews: {},
  warnings: {},
  outputs: {},
  gallery: [],
  jobs: [],
  connected: false,
  setConnected: (connected) => set({ connected }),
  setJobs: (jobs) => set({ jobs }),
  jobQueued: (jobId, nodeIds) => {
    set({ activeJobId: jobId, progress: null, previews: {}, warnings: {}, nodes: Object.fromEntries(nodeIds.map((id) => [id, { state: 'queued' as const }])) });
    const mine = early.filter((e) => e.jobId === jobId);
    early.splice(0, early.length, ...early.filter((e) => e.jobId !== jobId));
    for (const e of mine) set(reduceEvent(get(), e));
  },
  applyEvent: (e) => {
    // Other clients' jobs show in the queue panel, not on this canvas.
    if (e.jobId !== get().activeJobId) {
      early.push(e);
      if (early.length > EARLY_MAX) early.splice(0, early.length - EARLY_MAX);
      return;
    }
    set(reduceEvent(get(), e));
  },
  showIssues: (issues) => {
    const nodes: Record<string, NodeRun> = {};
    for (const i of issues) {
      if (!i.node || nodes[i.node]) continue;
      nodes[i.node] = { state: 'error', message: i.message, input: i.input ?? undefined };
    }
    set({ nodes, activeJobId: null, progress: null });
  },
  clearIssues: () => set({ nodes: {} }),
}));
