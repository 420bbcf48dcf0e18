'use client';
import { useState } from 'react';
import { useTemplateStore } from '@/app/stores/templateStore';
import type { WidgetProps } from './types';
import { fieldClass } from './types';

/** A searchable picker over the files models.list reports for the param's folder. */
export function ModelWidget({ nodeId, spec, value, onChange, invalid }: WidgetProps<'model'>) {
  const files = useTemplateStore((s) => s.models[spec.folder]) ?? [];
  const [query, setQuery] = useState<string | null>(null);
  const current = typeof value === 'string' ? value : spec.default;
  const shown = query === null ? [] : files.filter((f) => f.name.toLowerCase().includes(query.toLowerCase())).slice(0, 50);
  const missing = current !== '' && files.length > 0 && !files.some((f) => f.name === current);
  return (
    <div className="relative flex items-center gap-1">
      <span className="w-20 shrink-0 truncate text-neutral-400">{spec.label ?? spec.name}</span>
      <input
        data-testid={`param-${nodeId}-${spec.name}`}
        className={`${fieldClass(invalid || missing)} min-w-0 flex-1`}
        placeholder={`search ${spec.folder}…`}
        value={query ?? current}
        title={missing ? `${current} is not in models/${spec.folder}` : current}
        onFocus={() => setQuery('')}
        onChange={(e) => setQuery(e.target.value)}
        onBlur={() => setTimeout(() => setQuery(null), 150)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && shown[0]) {
            onChange(shown[0].name);
            setQuery(null);
            e.currentTarget.blur();
          }
        }}
      />
      {query !== null && (
        <ul
          data-testid={`model-options-${nodeId}-${spec.name}`}
          className="nodrag nowheel absolute left-20 right-0 top-6 z-20 max-h-48 overflow-auto rounded bg-neutral-800 text-xs shadow-lg ring-1 ring-neutral-600"
        >
          {shown.length === 0 && <li className="px-2 py-1 text-neutral-500">no files in models/{spec.folder}</li>}
          {shown.map((f) => (
            <li key={f.name}>
              <button
                type="button"
                className="block w-full truncate px-2 py-1 text-left hover:bg-sky-700"
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => {
                  onChange(f.name);
                  setQuery(null);
                }}
              >
                {f.name}
                {f.family && <span className="ml-1 text-neutral-400">{f.family}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
