'use client';
import type { WidgetProps } from './types';
import { fieldClass } from './types';

export function IntWidget({ nodeId, spec, value, onChange, invalid }: WidgetProps<'int'>) {
  const current = typeof value === 'number' ? value : spec.default;
  const step = spec.multipleOf ?? spec.step ?? 1;
  const badMultiple = spec.multipleOf !== undefined && current % spec.multipleOf !== 0;
  return (
    <label className="flex items-center gap-1">
      <span className="w-20 shrink-0 truncate text-neutral-400" title={spec.description}>
        {spec.label ?? spec.name}
      </span>
      <input
        data-testid={`param-${nodeId}-${spec.name}`}
        type="number"
        className={`${fieldClass(invalid || badMultiple)} min-w-0 flex-1`}
        min={spec.min}
        max={spec.max}
        step={step}
        value={current}
        title={badMultiple ? `must be a multiple of ${spec.multipleOf}` : undefined}
        onChange={(e) => e.target.value !== '' && onChange(Math.round(Number(e.target.value)))}
      />
    </label>
  );
}
