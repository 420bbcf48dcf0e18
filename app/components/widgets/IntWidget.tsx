'use client';
import { NumberField } from './NumberField';
import type { WidgetProps } from './types';

export function IntWidget({ nodeId, spec, value, onChange, invalid }: WidgetProps<'int'>) {
  const current = typeof value === 'number' ? value : spec.default;
  const label = spec.label ?? spec.name;
  return (
    <div className="flex items-center gap-1">
      <span className="w-20 shrink-0 truncate text-neutral-400" title={spec.description}>
        {label}
      </span>
      <NumberField
        testId={`param-${nodeId}-${spec.name}`}
        className="min-w-0 flex-1"
        value={current}
        rule={{ kind: 'int', label, min: spec.min, max: spec.max, multipleOf: spec.multipleOf }}
        invalid={invalid}
        onCommit={(v) => onChange(v)}
      />
    </div>
  );
}
