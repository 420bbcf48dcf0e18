'use client';
import { useState } from 'react';
import { Gallery } from './Gallery';
import { HistoryPanel } from './HistoryPanel';
import { QueuePanel } from './QueuePanel';

const TABS = ['gallery', 'history'] as const;
type Tab = (typeof TABS)[number];

/** The queue on top; the gallery and the job history (both from the server) below. */
export function RightPanel() {
  const [tab, setTab] = useState<Tab>('gallery');
  return (
    <aside data-testid="right-panel" className="flex w-64 flex-none flex-col gap-3 overflow-hidden border-l border-neutral-800 bg-neutral-900 p-2">
      <QueuePanel />
      <div className="flex min-h-0 flex-1 flex-col gap-1">
        <div role="tablist" className="flex gap-1 text-xs">
          {TABS.map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={tab === t}
              data-testid={`tab-${t}`}
              className={`rounded px-2 py-0.5 font-semibold uppercase tracking-wide ${tab === t ? 'bg-neutral-700 text-neutral-100' : 'text-neutral-400 hover:bg-neutral-800'}`}
              onClick={() => setTab(t)}
            >
              {t}
            </button>
          ))}
        </div>
        {tab === 'gallery' ? <Gallery /> : <HistoryPanel />}
      </div>
    </aside>
  );
}
