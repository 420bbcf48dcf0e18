'use client';
import { cancelJob, errorMessage } from '@/app/lib/engineApi';
import { useRunStore } from '@/app/stores/runStore';
import { useToastStore } from '@/app/stores/toastStore';

export function QueuePanel() {
  const jobs = useRunStore((s) => s.jobs);
  const toast = useToastStore((s) => s.push);
  const pending = jobs.filter((j) => j.status === 'queued' || j.status === 'running');
  return (
    <section data-testid="queue-panel" className="flex flex-col gap-1">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-neutral-400">Queue ({pending.length})</h3>
      {pending.length === 0 && <p className="text-xs text-neutral-500">nothing queued</p>}
      <ul className="flex flex-col gap-1">
        {pending.map((j) => (
          <li key={j.id} className="flex items-center gap-2 rounded bg-neutral-800 px-2 py-1 text-xs">
            <span className={j.status === 'running' ? 'text-sky-300' : 'text-neutral-300'}>{j.status}</span>
            <span className="truncate font-mono text-neutral-500">{j.id}</span>
            <button
              type="button"
              className="ml-auto rounded px-1 text-neutral-400 hover:bg-red-700 hover:text-white"
              title={j.status === 'running' ? 'interrupt' : 'remove from queue'}
              onClick={() => cancelJob(j.id).catch((err) => toast(errorMessage(err), 'error'))}
            >
              ✕
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
