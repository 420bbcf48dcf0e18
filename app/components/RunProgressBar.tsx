'use client';
import { useJobsStore } from '@/app/stores/jobsStore';
import { useRunStore } from '@/app/stores/runStore';

function eta(p: { step: number; total: number; startedAt: number; lastAt: number }): string {
  if (p.step < 1) return '…';
  const perStep = (p.lastAt - p.startedAt) / Math.max(1, p.step - 1 || 1);
  const s = Math.max(0, Math.round((perStep * (p.total - p.step)) / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
}

const ENDED_TEXT = { finished: 'idle', failed: 'Failed', cancelled: 'Cancelled' } as const;

/** The running job's progress (whoever queued it); fixed size whether idle or running, so the layout never shifts. */
export function RunProgressBar() {
  const running = useRunStore((s) => s.running);
  const lastEnded = useRunStore((s) => s.lastEnded);
  const waiting = useRunStore((s) => s.canvasJobId !== null && !s.canvasEnded);
  const queued = useJobsStore((s) => s.queue.filter((j) => j.status === 'queued').length);
  const progress = running?.progress ?? null;
  const fraction = progress ? progress.step / Math.max(1, progress.total) : 0;
  const text = progress
    ? progress.stage
      ? `${progress.stage} (${progress.step}/${progress.total})`
      : `step ${progress.step}/${progress.total} · ETA ${eta(progress)}`
    : running || waiting
      ? 'starting…'
      : lastEnded
        ? ENDED_TEXT[lastEnded.status]
        : 'idle';
  return (
    <div data-testid="run-progress" data-job={running?.jobId ?? ''} className="flex h-6 w-32 items-center gap-2 text-xs tabular-nums xl:w-72">
      <div className="relative hidden h-2 flex-1 overflow-hidden rounded bg-neutral-800 xl:block">
        <div className="absolute inset-y-0 left-0 bg-sky-500 transition-[width]" style={{ width: `${fraction * 100}%` }} />
      </div>
      <span
        data-testid="run-progress-text"
        className={`w-32 truncate ${lastEnded?.status === 'cancelled' && !running ? 'text-amber-300' : 'text-neutral-300'}`}
        title={text}
      >
        {text}
      </span>
      {queued > 0 && (
        <span data-testid="queued-count" className="shrink-0 rounded bg-neutral-700 px-1 text-[10px]" title={`${queued} more queued`}>
          +{queued}
        </span>
      )}
    </div>
  );
}
