'use client';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';

export type MenuItem =
  | { kind?: 'item'; label: string; testId: string; onSelect: () => void; danger?: boolean; checked?: boolean; disabled?: boolean; hint?: string }
  | { kind: 'submenu'; label: string; testId: string; items: MenuItem[] }
  | { kind: 'separator' };

interface Props {
  x: number;
  y: number;
  items: MenuItem[];
  onClose: () => void;
  testId: string;
}

function List({ items, onClose, nested }: { items: MenuItem[]; onClose: () => void; nested?: boolean }) {
  const [open, setOpen] = useState<string | null>(null);
  return (
    <ul
      role="menu"
      className={`min-w-48 rounded-md bg-neutral-900 py-1 text-sm shadow-2xl ring-1 ring-neutral-600 ${nested ? 'absolute left-full top-0 ml-0.5' : ''}`}
    >
      {items.map((item, i) => {
        if (item.kind === 'separator') return <li key={`sep-${i}`} role="separator" className="my-1 h-px bg-neutral-700" />;
        if (item.kind === 'submenu') {
          return (
            <li
              key={item.testId}
              className="relative"
              onMouseEnter={() => setOpen(item.testId)}
              onMouseLeave={() => setOpen((o) => (o === item.testId ? null : o))}
            >
              <button
                type="button"
                role="menuitem"
                aria-haspopup="menu"
                aria-expanded={open === item.testId}
                data-testid={item.testId}
                className="flex w-full items-center justify-between gap-4 px-3 py-1 text-left hover:bg-neutral-800"
                onClick={() => setOpen(item.testId)}
              >
                {item.label}
                <span className="text-neutral-500">▸</span>
              </button>
              {open === item.testId && <List items={item.items} onClose={onClose} nested />}
            </li>
          );
        }
        return (
          <li key={item.testId}>
            <button
              type="button"
              {...(item.checked === undefined ? { role: 'menuitem' } : { role: 'menuitemcheckbox', 'aria-checked': item.checked })}
              data-testid={item.testId}
              disabled={item.disabled}
              className={`flex w-full items-center gap-2 px-3 py-1 text-left hover:bg-neutral-800 disabled:opacity-40 ${item.danger ? 'text-red-300' : ''}`}
              onClick={() => {
                onClose();
                item.onSelect();
              }}
            >
              <span className="w-3 text-sky-300">{item.checked ? '✓' : ''}</span>
              <span className="flex-1">{item.label}</span>
              {item.hint && <span className="text-[10px] text-neutral-500">{item.hint}</span>}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/** A right-click menu at the pointer, kept inside the window; Esc or a click elsewhere closes it. */
export function ContextMenu({ x, y, items, onClose, testId }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [at, setAt] = useState({ x, y });
  useLayoutEffect(() => {
    const r = box.current?.getBoundingClientRect();
    if (!r) return;
    setAt({ x: Math.max(4, Math.min(x, window.innerWidth - r.width - 4)), y: Math.max(4, Math.min(y, window.innerHeight - r.height - 4)) });
  }, [x, y]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      onClose();
    };
    const onDown = (e: MouseEvent) => {
      if (box.current && e.target instanceof Node && !box.current.contains(e.target)) onClose();
    };
    window.addEventListener('keydown', onKey, true);
    window.addEventListener('mousedown', onDown, true);
    window.addEventListener('blur', onClose);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      window.removeEventListener('mousedown', onDown, true);
      window.removeEventListener('blur', onClose);
    };
  }, [onClose]);
  return (
    <div ref={box} data-testid={testId} className="fixed z-50" style={{ left: at.x, top: at.y }} onContextMenu={(e) => e.preventDefault()}>
      <List items={items} onClose={onClose} />
    </div>
  );
}
