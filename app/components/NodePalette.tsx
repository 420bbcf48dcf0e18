'use client';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { NodeSchema, SocketType } from '@/nodes/schemas';
import { rankNodes } from '@/app/lib/nodeSearch';
import { SOCKET_COLORS } from '@/app/lib/socketColors';
import { useTemplateStore } from '@/app/stores/templateStore';

/** Which side of a new node must accept a socket type (dragging a link into empty space). */
export interface SocketFilter {
  type: SocketType;
  /** 'input': the new node needs an input of this type; 'output': an output */
  side: 'input' | 'output';
}

export function matchesFilter(schema: NodeSchema, filter: SocketFilter | null): boolean {
  if (!filter) return true;
  const sockets = filter.side === 'input' ? schema.inputs : schema.outputs;
  return sockets.some((s) => s.type === filter.type);
}

/** The drag payload a palette row carries onto the canvas. */
export const NODE_DRAG_TYPE = 'application/x-latentloom-node';

interface Props {
  filter: SocketFilter | null;
  onPick: (schema: NodeSchema) => void;
  autoFocus?: boolean;
  testId: string;
  className?: string;
  /** rows can be dragged onto the canvas */
  draggable?: boolean;
}

/** Searchable node list ranked by relevance; arrow keys move the highlight, Enter takes it. */
export function NodePalette({ filter, onPick, autoFocus, testId, className, draggable }: Props) {
  const schemas = useTemplateStore((s) => s.schemas);
  const [query, setQuery] = useState('');
  const [highlight, setHighlight] = useState(0);
  const list = useRef<HTMLUListElement>(null);
  const shown = useMemo(() => rankNodes(schemas, query).filter((s) => matchesFilter(s, filter)), [schemas, filter, query]);
  // a new query or filter starts from the best match
  const [shownFor, setShownFor] = useState({ query, filter });
  if (shownFor.query !== query || shownFor.filter !== filter) {
    setShownFor({ query, filter });
    setHighlight(0);
  }
  const highlighted = shown[highlight]?.id;
  useEffect(() => {
    if (highlighted) list.current?.querySelector(`[data-testid="${testId}-item-${highlighted}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [highlighted, testId]);
  const current = shown[Math.min(highlight, shown.length - 1)];
  return (
    <div data-testid={testId} className={`flex flex-col gap-1 text-sm ${className ?? ''}`}>
      <input
        data-testid={`${testId}-search`}
        autoFocus={autoFocus}
        role="combobox"
        aria-expanded="true"
        aria-controls={`${testId}-list`}
        aria-activedescendant={current ? `${testId}-opt-${current.id}` : undefined}
        className="rounded bg-neutral-800 px-2 py-1 outline-none ring-1 ring-neutral-700 focus:ring-sky-500"
        placeholder={filter ? `nodes with a ${filter.type} ${filter.side}…` : 'search nodes (class id or title)…'}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setHighlight((h) => Math.min(h + 1, shown.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setHighlight((h) => Math.max(h - 1, 0));
          } else if (e.key === 'Enter' && current) {
            e.preventDefault();
            onPick(current);
          }
        }}
      />
      <ul ref={list} id={`${testId}-list`} role="listbox" className="nowheel flex-1 overflow-auto">
        {shown.map((s, i) => {
          const on = s === current;
          return (
            <li key={s.id} id={`${testId}-opt-${s.id}`} role="option" aria-selected={on}>
              <button
                type="button"
                data-testid={`${testId}-item-${s.id}`}
                data-highlighted={on ? 'true' : 'false'}
                draggable={draggable}
                onDragStart={(e) => {
                  e.dataTransfer.setData(NODE_DRAG_TYPE, s.id);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
                className={`flex w-full items-center gap-2 rounded px-2 py-0.5 text-left ${on ? 'bg-sky-800/70 ring-1 ring-sky-500' : 'hover:bg-neutral-800'}`}
                title={`${s.id}\n${s.description}`}
                onMouseEnter={() => setHighlight(i)}
                onClick={() => onPick(s)}
              >
                <span className="flex gap-0.5">
                  {s.outputs.map((o) => (
                    <span key={o.name} className="h-2 w-2 rounded-full" style={{ background: SOCKET_COLORS[o.type] }} />
                  ))}
                </span>
                <span className="min-w-0 flex-1">
                  <span className="block truncate">{s.title}</span>
                  <span className="block truncate text-[10px] leading-tight text-neutral-500">
                    {s.title === s.id ? s.category : `${s.id} · ${s.category}`}
                  </span>
                </span>
              </button>
            </li>
          );
        })}
        {shown.length === 0 && <li className="px-2 py-1 text-neutral-500">no matching nodes</li>}
      </ul>
    </div>
  );
}
