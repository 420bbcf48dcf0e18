'use client';
import type { WidgetProps } from './types';
import { fieldClass } from './types';

/** A PrimitiveNode's value: numbers stay numbers, true/false booleans, anything else text. */
export function AnyWidget({ nodeId, spec, value, onChange, invalid }: WidgetProps<'any'>) {
  const current = value ?? spec.default;
  if (typeof current === 'boolean') {
    return (
      <label className="flex items-center gap-2">
        <input data-testid={`param-${nodeId}-${spec.name}`} type="checkbox" className="nodrag accent-sky-500" checked={current} onChange={(e) => onChange(e.target.checked)} />
        <span className="text-neutral-300">{spec.label ?? spec.name}</span>
      </label>
    );
  }
  return (
    <div className="flex items-center gap-1">
      <span className="w-20 shrink-0 truncate text-neutral-400">{spec.label ?? spec.name}</span>
      <input
        data-testid={`param-${nodeId}-${spec.name}`}
        className={`${fieldClass(invalid)} min-w-0 flex-1`}
        value={String(current)}
        onChange={(e) => {
          const t = e.target.value;
          onChange(typeof current === 'number' && t.trim() !== '' && Number.isFinite(Number(t)) ? Number(t) : t);
        }}
      />
    </div>
  );
}
