'use client';
import { useState } from 'react';
import { useRunStore } from '@/app/stores/runStore';

/** Every image this session's jobs produced, newest first. */
export function Gallery() {
  const gallery = useRunStore((s) => s.gallery);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <section data-testid="gallery" className="flex min-h-0 flex-1 flex-col gap-1">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-neutral-400">Gallery ({gallery.length})</h3>
      {gallery.length === 0 && <p className="text-xs text-neutral-500">outputs of your runs show up here</p>}
      <div className="grid grid-cols-2 gap-1 overflow-auto">
        {gallery.map((g, i) => (
          <button key={`${g.url}-${i}`} type="button" onClick={() => setOpen(g.url)} className="aspect-square overflow-hidden rounded bg-neutral-800">
            {/* eslint-disable-next-line @next/next/no-img-element */}
            <img src={g.url} alt={`${g.node} of job ${g.jobId}`} className="h-full w-full object-cover" loading="lazy" />
          </button>
        ))}
      </div>
      {open && (
        <div className="fixed inset-0 z-50 flex items-center justify-center bg-black/80" onClick={() => setOpen(null)}>
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src={open} alt="output" className="max-h-[90vh] max-w-[90vw]" />
        </div>
      )}
    </section>
  );
}
