'use client';
import { useMemo, useState } from 'react';
import type { NodeSchema, SocketType } from '@/nodes/schemas';
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

interface Props {
  filter: SocketFilter | null;
  onPick: (schema: NodeSchema) => void;
  autoFocus?: boolean;
  testId: string;
  className?: string;
}

/** Searchable list of node types, grouped by category; Enter adds the first match. */
export function NodePalette({ filter, onPick, autoFocus, testId, className }: Props) {
  const schemas = useTemplateStore((s) => s.schemas);
  const [query, setQuery] = useState('');
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return schemas.filter(
      (s) => matchesFilter(s, filter) && (q === '' || `${s.title} ${s.id} ${s.category} ${s.description}`.toLowerCase().includes(q)),
    );
  }, [schemas, filter, query]);
  return (
    <div data-testid={testId} className={`flex flex-col gap-1 text-sm ${className ?? ''}`}>
      <input
        data-testid={`${testId}-search`}
        autoFocus={autoFocus}
        className="rounded bg-neutral-800 px-2 py-1 outline-none ring-1 ring-neutral-700 focus:ring-sky-500"
        placeholder={filter ? `nodes with a ${filter.type} ${filter.side}…` : 'search nodes…'}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && shown[0]) onPick(shown[0]);
        }}
      />
      <ul className="nowheel flex-1 overflow-auto">
        {shown.map((s) => (
          <li key={s.id}>
            <button
              type="button"
              data-testid={`${testId}-item-${s.id}`}
              className="flex w-full items-center gap-2 rounded px-2 py-1 text-left hover:bg-neutral-800"
              title={s.description}
              onClick={() => onPick(s)}
            >
              <span className="flex gap-0.5">
                {s.outputs.map((o) => (
                  <span key={o.name} className="h-2 w-2 rounded-full" style={{ background: SOCKET_COLORS[o.type] }} />
                ))}
              </span>
              <span className="truncate">{s.title}</span>
              <span className="ml-auto text-[10px] text-neutral-500">{s.category}</span>
            </button>
          </li>
        ))}
        {shown.length === 0 && <li className="px-2 py-1 text-neutral-500">no matching nodes</li>}
      </ul>
    </div>
  );
}
