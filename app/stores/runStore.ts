import { create } from 'zustand';
import type { JobEvent, ValidationIssue } from '@/app/lib/engineApi';

export type NodeRunState = 'queued' | 'running' | 'cached' | 'done' | 'error';

export interface NodeRun {
  state: NodeRunState;
  step?: number;
  total?: number;
  /** what step/total count when not sampling steps, e.g. "loading model" */
  stage?: string;
  message?: string;
  /** the input the error is about, highlighted on the node */
  input?: string;
}

export interface RunProgress {
  jobId: string;
  node?: string;
  step: number;
  total: number;
  /** what step/total count when not sampling steps (no ETA then), e.g. "loading model" */
  stage?: string;
  /** ms timestamp of the first step, for the ETA */
  startedAt: number;
  lastAt: number;
}

/** The job the server is running now (whoever queued it): the header's progress bar and Cancel follow it. */
export interface RunningJob {
  jobId: string;
  progress: RunProgress | null;
}

export type EndStatus = 'finished' | 'failed' | 'cancelled';

/** What the canvas shows of this tab's jobs: node states, previews and outputs of one job at a time. */
export interface CanvasRun {
  /** the job whose states the canvas shows */
  canvasJobId: string | null;
  /** whether that job has ended (a newer queued job then takes the canvas when it starts) */
  canvasEnded: boolean;
  nodes: Record<string, NodeRun>;
  previews: Record<string, string>;
  /** warnings a node raised in the current job (e.g. LoRA keys that matched nothing) */
  warnings: Record<string, string[]>;
  outputs: Record<string, string[]>;
}

export interface RunState extends CanvasRun {
  /** jobs queued from this canvas (not yet detached by loading another workflow): their node ids */
  mine: Record<string, string[]>;
  running: RunningJob | null;
  /** the last job that ended while nothing else ran ("Cancelled" in the header) */
  lastEnded: { jobId: string; status: EndStatus } | null;
  jobQueued: (jobId: string, nodeIds: string[]) => void;
  applyEvent: (e: JobEvent) => void;
  showIssues: (issues: ValidationIssue[]) => void;
  /** Another workflow was loaded: nothing of the old one's runs stays on the canvas. */
  clearCanvas: () => void;
}

/** Output files are paths under output/, which the server serves at /outputs/. */
export function outputUrl(path: string): string {
  return `/outputs/${path.split('/').map(encodeURIComponent).join('/')}`;
}

const IMAGE_KINDS = new Set(['image', 'preview']);

/** The canvas's part of a job event (the job is this canvas's); a pure reducer so tests can feed it event lists. */
export function reduceCanvas(s: CanvasRun & { mine: Record<string, string[]> }, e: JobEvent): Partial<CanvasRun> {
  const current = e.jobId === s.canvasJobId;
  const setNode = (id: string, run: NodeRun) => ({ ...s.nodes, [id]: run });
  switch (e.type) {
    case 'job.queued':
      return {};
    case 'job.started':
      // a job queued behind another takes the canvas when it starts (a restarted job starts again)
      return {
        canvasJobId: e.jobId,
        canvasEnded: false,
        previews: {},
        warnings: {},
        nodes: Object.fromEntries((s.mine[e.jobId] ?? []).map((id) => [id, { state: 'queued' as const }])),
      };
    case 'node.started':
      return current ? { nodes: setNode(e.nodeId, { state: 'running' }) } : {};
    case 'node.cached':
      return current ? { nodes: setNode(e.nodeId, { state: 'cached' }) } : {};
    case 'node.finished':
      return current ? { nodes: setNode(e.nodeId, { state: 'done' }) } : {};
    case 'node.warning':
      return current ? { warnings: { ...s.warnings, [e.nodeId]: [...(s.warnings[e.nodeId] ?? []), e.message] } } : {};
    case 'node.progress':
      if (!current) return {};
      return {
        nodes: setNode(e.nodeId, { state: 'running', step: e.step, total: e.total, ...(e.stage ? { stage: e.stage } : {}) }),
        ...(e.preview ? { previews: { ...s.previews, [e.nodeId]: e.preview } } : {}),
      };
    case 'job.finished': {
      if (!current) return {};
      const images = e.files.filter((f) => IMAGE_KINDS.has(f.kind));
      const outputs = { ...s.outputs };
      for (const f of images) outputs[f.nodeId] = images.filter((g) => g.nodeId === f.nodeId).map((g) => outputUrl(g.path));
      const nodes = Object.fromEntries(
        Object.entries(s.nodes).map(([id, r]) => [id, r.state === 'queued' || r.state === 'running' ? { state: 'done' as const } : r]),
      );
      return { canvasEnded: true, nodes, outputs };
    }
    case 'job.failed': {
      if (!current) return {};
      const target = e.error.nodeId;
      const nodes = Object.fromEntries(Object.entries(s.nodes).filter(([, r]) => r.state !== 'queued' && r.state !== 'running'));
      return {
        canvasEnded: true,
        previews: {},
        nodes: target
          ? { ...nodes, [target]: { state: 'error', message: e.error.message, ...(e.error.input ? { input: e.error.input } : {}) } }
          : nodes,
      };
    }
    case 'job.cancelled':
      // a cancelled job leaves nothing stale behind: no states, no latent preview
      return current ? { canvasEnded: true, nodes: {}, previews: {} } : {};
  }
}

/** The header's part: which job runs now, its sampler progress, and how the last one ended. */
export function reduceRunning(s: Pick<RunState, 'running' | 'lastEnded'>, e: JobEvent, now = Date.now()): Partial<RunState> {
  switch (e.type) {
    case 'job.started':
      return { running: { jobId: e.jobId, progress: null }, lastEnded: null };
    case 'node.progress': {
      if (s.running && s.running.jobId !== e.jobId) return {};
      const p = s.running?.progress;
      // loading counts models, not steps: the sampling ETA starts with the first real step
      const same = p?.node === e.nodeId && p.stage === e.stage;
      return {
        running: {
          jobId: e.jobId,
          progress: {
            jobId: e.jobId,
            node: e.nodeId,
            step: e.step,
            total: e.total,
            ...(e.stage ? { stage: e.stage } : {}),
            startedAt: same && p ? p.startedAt : now,
            lastAt: now,
          },
        },
      };
    }
    case 'job.finished':
    case 'job.failed':
    case 'job.cancelled': {
      const status: EndStatus = e.type === 'job.finished' ? 'finished' : e.type === 'job.failed' ? 'failed' : 'cancelled';
      if (s.running?.jobId === e.jobId) return { running: null, lastEnded: { jobId: e.jobId, status } };
      return s.running ? {} : { lastEnded: { jobId: e.jobId, status } };
    }
    default:
      return {};
  }
}

/**
 * Events of jobs this canvas has not been told about yet: a fast job (cached nodes, a free worker) can start
 * and finish before the enqueue answer arrives, so jobQueued replays what came early. Bounded: other
 * clients' jobs pass through here too.
 */
const early: JobEvent[] = [];
const EARLY_MAX = 500;

const emptyCanvas: CanvasRun = { canvasJobId: null, canvasEnded: true, nodes: {}, previews: {}, warnings: {}, outputs: {} };

export const useRunStore = create<RunState>()((set, get) => ({
  ...emptyCanvas,
  mine: {},
  running: null,
  lastEnded: null,
  jobQueued: (jobId, nodeIds) => {
    const s = get();
    const mine = { ...s.mine, [jobId]: nodeIds };
    // the canvas shows the new job now unless one of its jobs is still queued or running
    if (s.canvasJobId === null || s.canvasEnded) {
      set({
        mine,
        canvasJobId: jobId,
        canvasEnded: false,
        previews: {},
        warnings: {},
        nodes: Object.fromEntries(nodeIds.map((id) => [id, { state: 'queued' as const }])),
      });
    } else set({ mine });
    const replay = early.filter((e) => e.jobId === jobId);
    early.splice(0, early.length, ...early.filter((e) => e.jobId !== jobId));
    for (const e of replay) set(reduceCanvas(get(), e));
  },
  applyEvent: (e) => {
    const s = get();
    const running = reduceRunning(s, e);
    if (!s.mine[e.jobId]) {
      early.push(e);
      if (early.length > EARLY_MAX) early.splice(0, early.length - EARLY_MAX);
      if (Object.keys(running).length > 0) set(running);
      return;
    }
    set({ ...running, ...reduceCanvas(s, e) });
  },
  showIssues: (issues) => {
    const nodes: Record<string, NodeRun> = {};
    for (const i of issues) {
      if (!i.node || nodes[i.node]) continue;
      nodes[i.node] = { state: 'error', message: i.message, input: i.input ?? undefined };
    }
    set({ nodes, canvasJobId: null, canvasEnded: true, previews: {} });
  },
  clearCanvas: () => set({ ...emptyCanvas, mine: {} }),
}));
