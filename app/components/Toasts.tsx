'use client';
import { useToastStore } from '@/app/stores/toastStore';

/** Newest at the bottom; each expires on its own (errors stay longer); a click dismisses one. */
export function Toasts() {
  const toasts = useToastStore((s) => s.toasts);
  const dismiss = useToastStore((s) => s.dismiss);
  return (
    <div
      data-testid="toasts"
      aria-live="polite"
      className="pointer-events-none fixed bottom-4 left-1/2 z-[60] flex -translate-x-1/2 flex-col items-center gap-2"
    >
      {toasts.map((t) => (
        <button
          type="button"
          key={t.id}
          data-testid={t.kind === 'error' ? 'toast-error' : 'toast'}
          onClick={() => dismiss(t.id)}
          title="click to dismiss"
          className={`pointer-events-auto max-w-lg rounded px-3 py-1.5 text-left text-sm shadow-lg ${t.kind === 'error' ? 'bg-red-700' : 'bg-neutral-700'}`}
        >
          {t.text}
          {t.count > 1 && <span className="ml-2 rounded bg-black/30 px-1 text-xs">×{t.count}</span>}
        </button>
      ))}
    </div>
  );
}
