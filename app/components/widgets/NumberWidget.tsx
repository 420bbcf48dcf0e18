'use client';
import { useRef } from 'react';
import { NumberField } from './NumberField';
import type { WidgetProps } from './types';

function clamp(v: number, min: number, max: number) {
  return Math.min(max, Math.max(min, v));
}

/** A FLOAT field whose label drags the value (like Blender), with an optional slider. */
export function NumberWidget({ nodeId, spec, value, onChange, invalid }: WidgetProps<'number'>) {
  const current = typeof value === 'number' ? value : spec.default;
  const drag = useRef<{ x: number; v: number } | null>(null);
  const decimals = Math.max(0, -Math.floor(Math.log10(spec.step)));
  const set = (v: number) => onChange(Number(clamp(v, spec.min, spec.max).toFixed(decimals)));
  const label = spec.label ?? spec.name;
  return (
    <div className="flex items-center gap-1">
      <span
        className="nodrag w-20 shrink-0 cursor-ew-resize truncate text-neutral-400"
        title={spec.description ?? 'drag to change'}
        onPointerDown={(e) => {
          drag.current = { x: e.clientX, v: current };
          e.currentTarget.setPointerCapture(e.pointerId);
        }}
        onPointerMove={(e) => {
          if (drag.current) set(drag.current.v + Math.round((e.clientX - drag.current.x) / 4) * spec.step);
        }}
        onPointerUp={() => (drag.current = null)}
      >
        {label}
      </span>
      {spec.slider && (
        <input
          type="range"
          aria-label={`${label} slider`}
          className="nodrag min-w-0 flex-1 accent-sky-500"
          min={spec.min}
          max={spec.max}
          step={spec.step}
          value={current}
          onChange={(e) => set(Number(e.target.value))}
        />
      )}
      <NumberField
        testId={`param-${nodeId}-${spec.name}`}
        className={spec.slider ? 'w-16 flex-none' : 'min-w-0 flex-1'}
        value={current}
        rule={{ kind: 'number', label, min: spec.min, max: spec.max, step: spec.step, round: spec.round }}
        invalid={invalid}
        onCommit={(v) => onChange(v)}
      />
    </div>
  );
}
