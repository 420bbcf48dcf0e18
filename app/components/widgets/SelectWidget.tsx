'use client';
import type { WidgetProps } from './types';
import { fieldClass } from './types';

export function SelectWidget({ nodeId, spec, value, onChange, invalid }: WidgetProps<'select'>) {
  return (
    <label className="flex items-center gap-1">
      <span className="w-20 shrink-0 truncate text-neutral-400">{spec.label ?? spec.name}</span>
      <select
        data-testid={`param-${nodeId}-${spec.name}`}
        className={`${fieldClass(invalid)} min-w-0 flex-1`}
        value={typeof value === 'string' ? value : spec.default}
        onChange={(e) => onChange(e.target.value)}
      >
        {spec.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}
