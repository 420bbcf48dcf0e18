'use client';
import type { WidgetProps } from './types';

export function BooleanWidget({ nodeId, spec, value, onChange }: WidgetProps<'boolean'>) {
  return (
    <label className="flex items-center gap-2">
      <input
        data-testid={`param-${nodeId}-${spec.name}`}
        type="checkbox"
        className="nodrag accent-sky-500"
        checked={typeof value === 'boolean' ? value : spec.default}
        onChange={(e) => onChange(e.target.checked)}
      />
      <span className="text-neutral-300">{spec.label ?? spec.name}</span>
    </label>
  );
}
