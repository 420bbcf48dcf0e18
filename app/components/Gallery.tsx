'use client';
import { useMemo, useState } from 'react';
import { loadOlderHistory } from '@/app/lib/engineSync';
import { galleryItems } from '@/app/lib/gallery';
import { OUTPUT_DRAG_TYPE } from '@/app/lib/inputFiles';
import { errorMessage } from '@/app/lib/engineApi';
import { useJobsStore } from '@/app/stores/jobsStore';
import { useToastStore } from '@/app/stores/toastStore';
import { useViewerStore } from '@/app/stores/viewerStore';

export function LoadMore({ testId }: { testId: string }) {
  const cursor = useJobsStore((s) => s.historyCursor);
  const [busy, setBusy] = useState(false);
  if (!cursor) return null;
  return (
    <button
      type="button"
      data-testid={testId}
      disabled={busy}
      className="mt-1 rounded bg-neutral-800 px-2 py-1 text-xs hover:bg-neutral-700 disabled:opacity-50"
      onClick={() => {
        setBusy(true);
        loadOlderHistory()
          .catch((err) => useToastStore.getState().push(`History: ${errorMessage(err)}`, 'error'))
          .finally(() => setBusy(false));
      }}
    >
      {busy ? 'loading…' : 'Load older'}
    </button>
  );
}

/** Every image the server's history holds (any client's jobs), newest first, a page at a time. */
export function Gallery() {
  const history = useJobsStore((s) => s.history);
  const loaded = useJobsStore((s) => s.historyCursor !== undefined);
  const items = useMemo(() => galleryItems(history), [history]);
  return (
    <section data-testid="gallery" className="flex min-h-0 flex-1 flex-col gap-1">
      <p className="text-[10px] text-neutral-500" data-testid="gallery-count">
        {items.length} image{items.length === 1 ? '' : 's'}
      </p>
      {loaded && items.length === 0 && <p className="text-xs text-neutral-500">outputs of your runs show up here</p>}
      <div className="grid grid-cols-2 gap-1 overflow-auto">
        {items.map((g, i) => (
          <button
            key={g.url}
            type="button"
            data-testid={`gallery-item-${i}`}
            data-path={g.path}
            draggable
            onDragStart={(e) => {
              e.dataTransfer.setData(OUTPUT_DRAG_TYPE, JSON.stringify({ url: g.url, path: g.path }));
              e.dataTransfer.effectAllowed = 'copy';
            }}
            onClick={() => useViewerStore.getState().open(items, i)}
            className="aspect-square overflow-hidden rounded bg-neutral-800"
            title={g.prompt ?? g.title ?? g.path}
          >
            {/* eslint-disable-next-line @next/next/no-img-element */}
            <img src={g.url} alt={`${g.nodeId} of job ${g.jobId}`} className="h-full w-full object-cover" loading="lazy" />
          </button>
        ))}
      </div>
      <LoadMore testId="gallery-more" />
    </section>
  );
}
