'use client';
import { SEED_CONTROLS, type SeedControl } from '@/nodes/schemas';
import { useGraphStore } from '@/app/stores/graphStore';
import { NumberField } from './NumberField';
import type { WidgetProps } from './types';
import { fieldClass } from './types';

export function SeedWidget({ nodeId, spec, value, onChange, invalid }: WidgetProps<'seed'>) {
  const control = useGraphStore((s) => s.nodes.find((n) => n.id === nodeId)?.data.seedControl?.[spec.name]) ?? spec.control;
  const setSeedControl = useGraphStore((s) => s.setSeedControl);
  const current = typeof value === 'number' || typeof value === 'string' ? value : spec.default;
  const label = spec.label ?? spec.name;
  return (
    <div className="flex items-center gap-1">
      <span className="w-20 shrink-0 truncate text-neutral-400">{label}</span>
      <NumberField
        testId={`param-${nodeId}-${spec.name}`}
        className="min-w-0 flex-1"
        value={current}
        rule={{ kind: 'seed', label }}
        invalid={invalid}
        onCommit={(v) => onChange(v)}
      />
      <select
        data-testid={`seed-control-${nodeId}-${spec.name}`}
        className={`${fieldClass(false)} w-24 flex-none`}
        value={control}
        title="what happens to the seed after each queued run"
        onChange={(e) => setSeedControl(nodeId, spec.name, e.target.value as SeedControl)}
      >
        {SEED_CONTROLS.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    </div>
  );
}
