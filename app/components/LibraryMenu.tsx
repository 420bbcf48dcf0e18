'use client';
import { useEffect, useRef, useState } from 'react';
import { errorMessage, listLibrary, loadFromLibrary } from '@/app/lib/engineApi';
import { deleteLibraryEntry, openDocument } from '@/app/lib/editorActions';
import { useToastStore } from '@/app/stores/toastStore';

/** The saved workflows (workflows/): open one, or delete it after confirming. */
export function LibraryMenu({ onClose }: { onClose: () => void }) {
  const [names, setNames] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    listLibrary().then(setNames, (err) => setError(errorMessage(err)));
  }, []);
  useEffect(() => {
    // closes on Esc and on a click elsewhere, but not while one of its dialogs is open
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && !document.querySelector('[role="dialog"]') && onClose();
    const onDown = (e: MouseEvent) => {
      if (document.querySelector('[role="dialog"]')) return;
      if (
        box.current &&
        e.target instanceof Node &&
        !box.current.contains(e.target) &&
        !(e.target instanceof Element && e.target.closest('[data-testid="open-library"]'))
      )
        onClose();
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('mousedown', onDown);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('mousedown', onDown);
    };
  }, [onClose]);
  return (
    <div
      ref={box}
      data-testid="library-menu"
      className="absolute left-0 top-9 z-40 w-72 rounded bg-neutral-900 p-2 shadow-xl ring-1 ring-neutral-700"
    >
      {error && <p className="text-xs text-red-300">{error}</p>}
      {names === null && !error && <p className="text-xs text-neutral-500">loading…</p>}
      {names?.length === 0 && <p className="text-xs text-neutral-500">the library is empty: Save puts the canvas here</p>}
      <ul className="max-h-72 overflow-auto">
        {names?.map((n) => (
          <li key={n} className="flex items-center">
            <button
              type="button"
              data-testid={`library-item-${n}`}
              className="flex-1 truncate rounded px-2 py-1 text-left text-sm hover:bg-neutral-800"
              onClick={async () => {
                onClose();
                try {
                  await openDocument(await loadFromLibrary(n), { label: n, name: n, libraryName: n });
                } catch (err) {
                  useToastStore.getState().push(errorMessage(err), 'error');
                }
              }}
            >
              {n}
            </button>
            <button
              type="button"
              data-testid={`library-delete-${n}`}
              title={`delete ${n}`}
              aria-label={`delete ${n}`}
              className="rounded px-1 text-neutral-500 hover:bg-red-700 hover:text-white"
              onClick={async () => {
                if (await deleteLibraryEntry(n)) setNames((all) => (all ?? []).filter((x) => x !== n));
              }}
            >
              ✕
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
