'use client';
import { useEffect, useRef, type ReactNode } from 'react';

/** Open modals, innermost last: Esc closes only the top one. */
const stack: number[] = [];
let nextId = 1;

interface Props {
  onClose: () => void;
  children: ReactNode;
  testId?: string;
  label: string;
  /** the panel's classes (size, padding); the backdrop is shared */
  className?: string;
}

/** Backdrop + panel; Esc or a click on the backdrop closes. Every dialog of the editor is one of these. */
export function Modal({ onClose, children, testId, label, className }: Props) {
  const close = useRef(onClose);
  close.current = onClose;
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const id = nextId++;
    stack.push(id);
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || stack[stack.length - 1] !== id) return;
      e.preventDefault();
      e.stopImmediatePropagation();
      close.current();
    };
    // capture: a field inside the dialog must not swallow the Esc first
    window.addEventListener('keydown', onKey, true);
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (panel.current && !panel.current.contains(document.activeElement)) {
      const first = panel.current.querySelector<HTMLElement>('[data-autofocus], input, button');
      (first ?? panel.current).focus();
    }
    return () => {
      window.removeEventListener('keydown', onKey, true);
      stack.splice(stack.indexOf(id), 1);
      previous?.focus?.();
    };
  }, []);
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-black/70" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={panel}
        role="dialog"
        aria-modal="true"
        aria-label={label}
        tabIndex={-1}
        data-testid={testId}
        className={`rounded-lg bg-neutral-900 shadow-2xl ring-1 ring-neutral-700 outline-none ${className ?? 'w-[28rem] p-4'}`}
      >
        {children}
      </div>
    </div>
  );
}
