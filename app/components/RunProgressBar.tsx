'use client';
import { useRunStore } from '@/app/stores/runStore';

function eta(p: { step: number; total: number; startedAt: number; lastAt: number }): string {
  if (p.step < 1) return '…';
  const perStep = (p.lastAt - p.startedAt) / Math.max(1, p.step - 1 || 1);
  const s = Math.max(0, Math.round((perStep * (p.total - p.step)) / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
}

/** Fixed height whether idle or running, so the layout never shifts. */
export function RunProgressBar() {
  const progress = useRunStore((s) => s.progress);
  const active = useRunStore((s) => s.activeJobId);
  const fraction = progress ? progress.step / Math.max(1, progress.total) : 0;
  return (
    <div data-testid="run-progress" className="flex h-6 w-72 items-center gap-2 text-xs tabular-nums">
      <div className="relative h-2 flex-1 overflow-hidden rounded bg-neutral-800">
        <div className="absolute inset-y-0 left-0 bg-sky-500 transition-[width]" style={{ width: `${fraction * 100}%` }} />
      </div>
      <span data-testid="run-progress-text" className="w-32 truncate text-neutral-300">
        {progress ? `step ${progress.step}/${progress.total} · ETA ${eta(progress)}` : active ? 'starting…' : 'idle'}
      </span>
    </div>
  );
}
