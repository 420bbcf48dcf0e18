'use client';
import { useMemo } from 'react';
import { cancelJob, errorMessage, type JobSummary } from '@/app/lib/engineApi';
import { galleryItems, jobLabel } from '@/app/lib/gallery';
import { useJobsStore } from '@/app/stores/jobsStore';
import { useToastStore } from '@/app/stores/toastStore';
import { useViewerStore } from '@/app/stores/viewerStore';

const STATUS_STYLE: Record<JobSummary['status'], string> = {
  queued: 'bg-neutral-600',
  running: 'bg-sky-600',
  finished: 'bg-emerald-700',
  failed: 'bg-red-700',
  cancelled: 'bg-amber-700',
};

export function JobRow({ job, testId, onCancel, onOpen }: { job: JobSummary; testId: string; onCancel?: () => void; onOpen?: () => void }) {
  const images = galleryItems([job]);
  const thumb = images[0];
  return (
    <li data-testid={testId} data-status={job.status} className="flex items-center gap-2 rounded bg-neutral-800 px-1.5 py-1 text-xs">
      {thumb ? (
        <button
          type="button"
          className="h-9 w-9 shrink-0 overflow-hidden rounded bg-neutral-900"
          title="open in the viewer"
          onClick={() => useViewerStore.getState().open(images, 0)}
        >
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img
            data-testid={`${testId}-thumb`}
            src={thumb.url}
            alt={`output of ${jobLabel(job)}`}
            className="h-full w-full object-cover"
            loading="lazy"
          />
        </button>
      ) : (
        <span className={`h-9 w-1 shrink-0 rounded ${STATUS_STYLE[job.status]}`} />
      )}
      <span className="min-w-0 flex-1">
        <span data-testid={`${testId}-label`} className="block truncate text-neutral-200" title={jobLabel(job)}>
          {jobLabel(job)}
        </span>
        <span className="block truncate text-[10px] text-neutral-500">
          <span className={`mr-1 rounded px-1 text-white ${STATUS_STYLE[job.status]}`}>{job.status}</span>
          <span data-testid={`${testId}-workflow`}>{job.title ?? 'untitled'}</span>
          {job.error && (
            <span className="ml-1 text-red-300" title={job.error.message}>
              {job.error.message}
            </span>
          )}
        </span>
      </span>
      {onOpen && (
        <button
          type="button"
          data-testid={`${testId}-open`}
          className="shrink-0 rounded px-1 text-neutral-400 hover:bg-neutral-700 hover:text-white"
          title="open the workflow this job ran"
          aria-label={`open the workflow of ${jobLabel(job)}`}
          onClick={onOpen}
        >
          ↺
        </button>
      )}
      {onCancel && (
        <button
          type="button"
          data-testid={`${testId}-cancel`}
          className="shrink-0 rounded px-1 text-neutral-400 hover:bg-red-700 hover:text-white"
          title={job.status === 'running' ? 'interrupt' : 'remove from queue'}
          aria-label={`cancel ${jobLabel(job)}`}
          onClick={onCancel}
        >
          ✕
        </button>
      )}
    </li>
  );
}

/** Jobs in execution order: those that ended while this page was open (with thumbnails), the running one, then the queue. */
export function QueuePanel() {
  const queue = useJobsStore((s) => s.queue);
  const history = useJobsStore((s) => s.history);
  const endedHere = useJobsStore((s) => s.endedHere);
  const toast = useToastStore((s) => s.push);
  const ended = useMemo(() => {
    const byId = new Map(history.map((j) => [j.id, j]));
    return endedHere.map((id) => byId.get(id)).filter((j): j is JobSummary => j !== undefined);
  }, [history, endedHere]);
  // a job that just ended may still be in the last queue answer: its ended row wins
  const endedIds = new Set(ended.map((j) => j.id));
  const pending = queue.filter((j) => (j.status === 'queued' || j.status === 'running') && !endedIds.has(j.id));
  return (
    <section data-testid="queue-panel" className="flex max-h-[45%] min-h-0 flex-none flex-col gap-1">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-neutral-400">Queue ({pending.length})</h3>
      <ul className="flex min-h-0 flex-col gap-1 overflow-auto">
        {ended.map((j) => (
          <JobRow key={j.id} job={j} testId={`queue-item-${j.id}`} />
        ))}
        {pending.map((j) => (
          <JobRow
            key={j.id}
            job={j}
            testId={`queue-item-${j.id}`}
            onCancel={() => cancelJob(j.id).catch((err) => toast(errorMessage(err), 'error'))}
          />
        ))}
      </ul>
      {pending.length === 0 && <p className="text-xs text-neutral-500">nothing queued</p>}
    </section>
  );
}
