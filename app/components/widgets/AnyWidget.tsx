'use client';
import { NumberField } from './NumberField';
import type { WidgetProps } from './types';
import { fieldClass } from './types';

/** A PrimitiveNode's value: numbers stay numbers (typed like any number field), true/false booleans, anything else text. */
export function AnyWidget({ nodeId, spec, value, onChange, invalid }: WidgetProps<'any'>) {
  const current = value ?? spec.default;
  const label = spec.label ?? spec.name;
  if (typeof current === 'boolean') {
    return (
      <label className="flex items-center gap-2">
        <input
          data-testid={`param-${nodeId}-${spec.name}`}
          type="checkbox"
          className="nodrag accent-sky-500"
          checked={current}
          onChange={(e) => onChange(e.target.checked)}
        />
        <span className="text-neutral-300">{label}</span>
      </label>
    );
  }
  return (
    <div className="flex items-center gap-1">
      <span className="w-20 shrink-0 truncate text-neutral-400">{label}</span>
      {typeof current === 'number' ? (
        <NumberField
          testId={`param-${nodeId}-${spec.name}`}
          className="min-w-0 flex-1"
          value={current}
          rule={{ kind: 'number', label, round: false }}
          onCommit={(v) => onChange(v)}
        />
      ) : (
        <input
          data-testid={`param-${nodeId}-${spec.name}`}
          className={`${fieldClass(invalid)} min-w-0 flex-1`}
          value={current}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </div>
  );
}
