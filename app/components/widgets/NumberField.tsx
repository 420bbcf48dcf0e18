'use client';
import { useEffect, useRef, useState } from 'react';
import { formatNumber, parseNumberText, type NumericRule } from '@/app/lib/numberText';
import { fieldClass } from './types';

interface Props {
  testId: string;
  value: number | string;
  rule: NumericRule;
  onCommit: (value: number | string) => void;
  className?: string;
  /** the engine reported a problem with this value */
  invalid?: boolean;
}

const NOTE_MS = 4000;

/**
 * A numeric text field that keeps exactly what is typed while editing, and parses, clamps and commits on
 * Enter or blur; Esc puts the committed value back. Refused text stays in the field with the reason shown.
 */
export function NumberField({ testId, value, rule, onCommit, className, invalid }: Props) {
  const [draft, setDraftState] = useState<string | null>(null);
  // mirrors the draft synchronously: Esc blurs the field before React re-renders, and that blur must not commit
  const draftRef = useRef<string | null>(null);
  const setDraft = (d: string | null) => {
    draftRef.current = d;
    setDraftState(d);
  };
  const [message, setMessage] = useState<{ kind: 'error' | 'note'; text: string } | null>(null);
  const noteTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(noteTimer.current), []);

  /** notes fade; an error stays while the text is being fixed, and fades once the field is left */
  const show = (m: { kind: 'error' | 'note'; text: string } | null, fade = m?.kind === 'note') => {
    clearTimeout(noteTimer.current);
    setMessage(m);
    if (m && fade) noteTimer.current = setTimeout(() => setMessage(null), NOTE_MS);
  };

  /** true when the text was taken (or nothing was being edited) */
  const commit = (): boolean => {
    const text = draftRef.current;
    if (text === null) return true;
    const r = parseNumberText(text, rule);
    if (!r.ok) {
      show({ kind: 'error', text: r.reason });
      return false;
    }
    setDraft(null);
    show(r.note ? { kind: 'note', text: r.note } : null);
    if (r.value !== value) onCommit(r.value);
    return true;
  };

  const revert = () => {
    setDraft(null);
    show(null);
  };

  const error = message?.kind === 'error';
  return (
    <span className={`relative ${className ?? ''}`}>
      <input
        data-testid={testId}
        type="text"
        inputMode={rule.kind === 'number' ? 'decimal' : 'numeric'}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={error || undefined}
        className={`${fieldClass(error || invalid === true)} w-full tabular-nums`}
        value={draft ?? formatNumber(value)}
        onFocus={(e) => e.currentTarget.select()}
        onChange={(e) => {
          setDraft(e.target.value);
          if (error) show(null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            // runs before the window's Ctrl+Enter handler, so a queued run sees the typed value
            commit();
          } else if (e.key === 'Escape') {
            e.stopPropagation();
            revert();
            e.currentTarget.blur();
          }
        }}
        onBlur={() => {
          // refused text on leaving the field: the committed value comes back, the reason stays visible
          const text = draftRef.current;
          if (text === null) return;
          const r = parseNumberText(text, rule);
          if (r.ok) commit();
          else {
            setDraft(null);
            show({ kind: 'error', text: `${r.reason}; kept ${formatNumber(value)}` }, true);
          }
        }}
      />
      {message && (
        <span
          data-testid={`${testId}-${message.kind}`}
          role={error ? 'alert' : 'status'}
          className={`pointer-events-none absolute left-0 top-full z-20 mt-0.5 whitespace-nowrap rounded px-1.5 py-0.5 text-[10px] shadow ${
            error ? 'bg-red-700 text-white' : 'bg-amber-700 text-amber-50'
          }`}
        >
          {message.text}
        </span>
      )}
    </span>
  );
}
