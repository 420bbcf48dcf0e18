'use client';
import { useToastStore } from '@/app/stores/toastStore';

export function Toasts() {
  const toasts = useToastStore((s) => s.toasts);
  const dismiss = useToastStore((s) => s.dismiss);
  return (
    <div className="pointer-events-none fixed bottom-4 left-1/2 z-50 flex -translate-x-1/2 flex-col items-center gap-2">
      {toasts.map((t) => (
        <button
          type="button"
          key={t.id}
          data-testid={t.kind === 'error' ? 'toast-error' : 'toast'}
          onClick={() => dismiss(t.id)}
          className={`pointer-events-auto max-w-lg rounded px-3 py-1.5 text-sm shadow-lg ${t.kind === 'error' ? 'bg-red-700' : 'bg-neutral-700'}`}
        >
          {t.text}
        </button>
      ))}
    </div>
  );
}
