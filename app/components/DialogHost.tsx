'use client';
import { useState } from 'react';
import { useDialogStore, type Tone } from '@/app/stores/dialogStore';
import { Modal } from './Modal';

const TONE: Record<Tone, string> = {
  primary: 'bg-sky-600 text-white hover:bg-sky-500',
  danger: 'bg-red-600 text-white hover:bg-red-500',
  plain: 'bg-neutral-700 text-neutral-100 hover:bg-neutral-600',
};

/** Renders the open confirm / prompt dialog (app/stores/dialogStore). */
export function DialogHost() {
  const current = useDialogStore((s) => s.current);
  if (!current) return null;
  return <DialogView key={current.id} />;
}

function DialogView() {
  const d = useDialogStore((s) => s.current);
  const answer = useDialogStore((s) => s.answer);
  const [text, setText] = useState(d?.input?.initial ?? '');
  if (!d) return null;
  const problem = d.input?.validate?.(text) ?? null;
  const take = (choice: string) => {
    if (choice !== 'cancel' && d.input && problem) return;
    answer({ choice, text: text.trim() });
  };
  return (
    <Modal onClose={() => answer({ choice: null, text: '' })} testId={d.testId} label={d.title}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (d.defaultValue) take(d.defaultValue);
        }}
      >
        <h2 className="mb-2 text-base font-semibold">{d.title}</h2>
        {d.message && <p className="mb-3 whitespace-pre-line text-sm text-neutral-300">{d.message}</p>}
        {d.input && (
          <label className="mb-3 flex flex-col gap-1 text-sm">
            <span className="text-neutral-400">{d.input.label}</span>
            <input
              data-testid="dialog-input"
              data-autofocus
              className="rounded bg-neutral-800 px-2 py-1 outline-none ring-1 ring-neutral-700 focus:ring-sky-500"
              value={text}
              onChange={(e) => setText(e.target.value)}
              onFocus={(e) => e.currentTarget.select()}
            />
            {problem && (
              <span data-testid="dialog-input-problem" className="text-xs text-red-300">
                {problem}
              </span>
            )}
          </label>
        )}
        <div className="flex justify-end gap-2">
          {d.choices.map((c) => (
            <button
              key={c.value}
              type={c.value === d.defaultValue ? 'submit' : 'button'}
              data-testid={`dialog-${c.value}`}
              disabled={c.value !== 'cancel' && d.input !== undefined && problem !== null}
              className={`rounded px-3 py-1 text-sm disabled:opacity-40 ${TONE[c.tone ?? 'plain']}`}
              onClick={c.value === d.defaultValue ? undefined : () => take(c.value)}
            >
              {c.label}
            </button>
          ))}
        </div>
      </form>
    </Modal>
  );
}
