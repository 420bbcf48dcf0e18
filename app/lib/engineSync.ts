/**
 * Keeps the editor in step with the server: a heartbeat (the queue, every second) that decides online/offline,
 * the event stream (resubscribed after an outage), and the history (first page on load, after job events and
 * on reconnect). After an outage the canvas catches up from the history for jobs whose end it missed.
 */
import { errorMessage, HISTORY_PAGE, listHistory, listModels, listQueue, subscribeJobEvents, type JobEvent, type JobSummary } from './engineApi';
import { useJobsStore } from '@/app/stores/jobsStore';
import { useRunStore } from '@/app/stores/runStore';
import { useTemplateStore } from '@/app/stores/templateStore';
import { useToastStore } from '@/app/stores/toastStore';
import { describeFailure } from './humanError';

const HEARTBEAT_MS = 1000;
/** a heartbeat unanswered this long counts as the server gone (with the interval: red within 3 s) */
const HEARTBEAT_TIMEOUT_MS = 1500;
const HISTORY_THROTTLE_MS = 250;
const ENDED = new Set(['finished', 'failed', 'cancelled']);

export function refreshModels(): Promise<void> {
  return listModels().then(useTemplateStore.getState().setModels, () => undefined);
}

/** Ended jobs of the newest page; the canvas catches up on any of its jobs whose end event it missed. */
async function refreshHistory(): Promise<void> {
  const page = await listHistory(null, HISTORY_PAGE);
  const ended = page.jobs.filter((j) => ENDED.has(j.status));
  useJobsStore.getState().mergeNewest(ended, page.nextCursor);
  catchUp(ended);
}

/** A job end the event stream missed (server restarted, stream dropped) becomes the event it would have been. */
function catchUp(jobs: readonly JobSummary[]) {
  const run = useRunStore.getState();
  if (!run.canvasJobId || run.canvasEnded) return;
  const job = jobs.find((j) => j.id === run.canvasJobId);
  if (!job) return;
  const base = { jobId: job.id, id: -1, time: job.finishedAt ?? job.createdAt };
  if (job.status === 'finished') run.applyEvent({ ...base, type: 'job.finished', files: job.files, ms: 0 });
  else if (job.status === 'failed') run.applyEvent({ ...base, type: 'job.failed', error: job.error ?? { message: 'the job failed' } });
  else if (job.status === 'cancelled') run.applyEvent({ ...base, type: 'job.cancelled' });
}

export function loadOlderHistory(): Promise<void> {
  const { historyCursor } = useJobsStore.getState();
  if (!historyCursor) return Promise.resolve();
  return listHistory(historyCursor, HISTORY_PAGE).then((page) =>
    useJobsStore.getState().appendOlder(
      page.jobs.filter((j) => ENDED.has(j.status)),
      page.nextCursor,
    ),
  );
}

/** Starts syncing; returns the stop function. */
export function startEngineSync(): () => void {
  let stopped = false;
  let lastEventId: string | null = null;
  let sub: { unsubscribe: () => void } | null = null;
  let historyTimer: ReturnType<typeof setTimeout> | undefined;
  let heartbeatTimer: ReturnType<typeof setTimeout> | undefined;

  const scheduleHistory = () => {
    if (historyTimer) return;
    historyTimer = setTimeout(() => {
      historyTimer = undefined;
      refreshHistory().catch((err) => console.debug('jobs.history', errorMessage(err)));
    }, HISTORY_THROTTLE_MS);
  };

  const onEvent = (e: JobEvent) => {
    const run = useRunStore.getState();
    if (e.type === 'job.failed' && run.mine[e.jobId]) {
      useToastStore.getState().push(`Job failed: ${describeFailure(e.error.message).summary}`, 'error');
    }
    run.applyEvent(e);
    if (e.type === 'job.finished' || e.type === 'job.failed' || e.type === 'job.cancelled') useJobsStore.getState().noteEnded(e.jobId);
    if (e.type.startsWith('job.')) scheduleHistory();
  };

  const subscribe = () => {
    sub?.unsubscribe();
    sub = subscribeJobEvents(lastEventId, {
      onOpen: () => undefined,
      onEvent: (e, id) => {
        lastEventId = id;
        onEvent(e);
      },
      onEnd: (message) => {
        console.warn('jobs.events:', message);
        sub = null;
        // a stream that stopped for good comes back with the server (see heartbeat)
        if (!stopped && useJobsStore.getState().connection === 'online') setTimeout(() => !stopped && !sub && subscribe(), 1000);
      },
    });
  };

  const heartbeat = async () => {
    const ac = new AbortController();
    const timeout = setTimeout(() => ac.abort(), HEARTBEAT_TIMEOUT_MS);
    try {
      const [running, queued] = await listQueue(ac.signal);
      const jobs = useJobsStore.getState();
      const wasOffline = jobs.connection !== 'online';
      jobs.setQueue(running, queued);
      jobs.setConnection('online');
      if (wasOffline) onReconnect(running);
    } catch {
      useJobsStore.getState().setConnection('offline');
    } finally {
      clearTimeout(timeout);
      if (!stopped) heartbeatTimer = setTimeout(() => void heartbeat(), HEARTBEAT_MS);
    }
  };

  /** Back after an outage (or the first answer): fresh lists, a fresh stream, and the running job's header. */
  const onReconnect = (running: JobSummary[]) => {
    void refreshModels();
    scheduleHistory();
    subscribe();
    const run = useRunStore.getState();
    const now = running[0];
    if (now && run.running?.jobId !== now.id) useRunStore.setState({ running: { jobId: now.id, progress: null } });
    if (!now && run.running) useRunStore.setState({ running: null });
  };

  void heartbeat();
  window.addEventListener('focus', refreshModels);
  return () => {
    stopped = true;
    clearTimeout(historyTimer);
    clearTimeout(heartbeatTimer);
    sub?.unsubscribe();
    window.removeEventListener('focus', refreshModels);
  };
}
