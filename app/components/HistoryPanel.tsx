'use client';
import { openJobWorkflow } from '@/app/lib/jobActions';
import { useJobsStore } from '@/app/stores/jobsStore';
import { JobRow } from './QueuePanel';
import { LoadMore } from './Gallery';

/** Ended jobs from the server's history (browser, CLI, HTTP API, resumed after a restart), newest first. */
export function HistoryPanel() {
  const history = useJobsStore((s) => s.history);
  const loaded = useJobsStore((s) => s.historyCursor !== undefined);
  return (
    <section data-testid="history-panel" className="flex min-h-0 flex-1 flex-col gap-1">
      {loaded && history.length === 0 && <p className="text-xs text-neutral-500">no finished jobs yet</p>}
      <ul className="flex min-h-0 flex-col gap-1 overflow-auto">
        {history.map((j) => (
          <JobRow key={j.id} job={j} testId={`history-item-${j.id}`} onOpen={() => void openJobWorkflow(j.id)} />
        ))}
      </ul>
      <LoadMore testId="history-more" />
    </section>
  );
}
