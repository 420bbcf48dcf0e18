import { create } from 'zustand';
import type { JobSummary } from '@/app/lib/engineApi';

export type Connection = 'connecting' | 'online' | 'offline';

export interface JobsState {
  connection: Connection;
  /** since when the server has not answered (for the header's message) */
  offlineSince: number | null;
  /** running first, then queued jobs in the order they will run */
  queue: JobSummary[];
  /** ended jobs, newest first: the loaded pages of the server's history */
  history: JobSummary[];
  /** where the next (older) page starts; null: no more; undefined: nothing loaded yet */
  historyCursor: string | null | undefined;
  /** jobs that ended while this page was open, in the order they ended (the queue panel keeps them, with thumbnails) */
  endedHere: string[];
  setConnection: (c: Connection) => void;
  setQueue: (running: JobSummary[], queued: JobSummary[]) => void;
  /** The newest page: replaces what it covers, keeps older pages loaded below it. */
  mergeNewest: (jobs: JobSummary[], nextCursor: string | null) => void;
  /** An older page (Load more). */
  appendOlder: (jobs: JobSummary[], nextCursor: string | null) => void;
  noteEnded: (jobId: string) => void;
}

const ENDED_KEPT = 8;
const byNewest = (a: JobSummary, b: JobSummary) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0);

/** Queue and history as the server reports them (jobs.list / jobs.history), whoever queued the jobs. */
export const useJobsStore = create<JobsState>()((set, get) => ({
  connection: 'connecting',
  offlineSince: null,
  queue: [],
  history: [],
  historyCursor: undefined,
  endedHere: [],
  setConnection: (connection) => {
    if (connection === get().connection) return;
    set({ connection, offlineSince: connection === 'offline' ? Date.now() : null });
  },
  setQueue: (running, queued) => {
    // jobs.list answers newest first; the queue runs oldest first
    const next = [...running, ...[...queued].reverse()];
    const prev = get().queue;
    if (prev.length === next.length && prev.every((j, i) => j.id === next[i]?.id && j.status === next[i]?.status)) return;
    set({ queue: next });
  },
  mergeNewest: (jobs, nextCursor) => {
    const { history, historyCursor } = get();
    const ids = new Set(jobs.map((j) => j.id));
    const oldest = jobs[jobs.length - 1];
    // older pages already loaded stay; anything newer than this page's oldest job comes from this page
    const older = oldest ? history.filter((j) => !ids.has(j.id) && j.createdAt < oldest.createdAt) : history;
    set({
      history: [...jobs, ...older].sort(byNewest),
      historyCursor: historyCursor === undefined || older.length === 0 ? nextCursor : historyCursor,
    });
  },
  appendOlder: (jobs, nextCursor) => {
    const have = new Set(get().history.map((j) => j.id));
    set({ history: [...get().history, ...jobs.filter((j) => !have.has(j.id))].sort(byNewest), historyCursor: nextCursor });
  },
  noteEnded: (jobId) => {
    const ended = get().endedHere.filter((id) => id !== jobId);
    set({ endedHere: [...ended, jobId].slice(-ENDED_KEPT) });
  },
}));
