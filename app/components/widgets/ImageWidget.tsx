'use client';
import type { WidgetProps } from './types';
import { fieldClass } from './types';

/** A file name inside input/; the engine resolves it there. */
export function ImageWidget({ nodeId, spec, value, onChange, invalid }: WidgetProps<'image'>) {
  return (
    <label className="flex items-center gap-1">
      <span className="w-20 shrink-0 truncate text-neutral-400">{spec.label ?? spec.name}</span>
      <input
        data-testid={`param-${nodeId}-${spec.name}`}
        className={`${fieldClass(invalid)} min-w-0 flex-1`}
        placeholder={`file in input/ (${(spec.accept ?? []).join(' ')})`}
        value={typeof value === 'string' ? value : spec.default}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}
