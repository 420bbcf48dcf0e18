'use client';
import { useRef } from 'react';
import { segmentPrompt } from '@/app/lib/promptWeights';
import type { WidgetProps } from './types';
import { fieldClass } from './types';

/** Text; multiline prompts get a highlight layer behind a transparent textarea for (word:1.2) groups. */
export function PromptWidget({ nodeId, spec, value, onChange, invalid }: WidgetProps<'text'>) {
  const text = typeof value === 'string' ? value : spec.default;
  const layer = useRef<HTMLDivElement>(null);
  if (!spec.multiline) {
    return (
      <label className="flex items-center gap-1">
        <span className="w-20 shrink-0 truncate text-neutral-400">{spec.label ?? spec.name}</span>
        <input
          data-testid={`param-${nodeId}-${spec.name}`}
          className={`${fieldClass(invalid)} min-w-0 flex-1`}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      </label>
    );
  }
  const shared = 'whitespace-pre-wrap break-words px-1.5 py-1 font-mono text-xs leading-4';
  const label = spec.label ?? spec.name;
  // every prompt box says which it is (CLIPTextEncodeSDXL has two: text_g for OpenCLIP bigG, text_l for CLIP-L)
  return (
    <div className="flex h-full min-h-28 flex-col gap-0.5">
      <span
        data-testid={`param-label-${nodeId}-${spec.name}`}
        className="truncate text-[10px] uppercase tracking-wide text-neutral-400"
        title={spec.description ?? label}
      >
        {label}
      </span>
      <div
        className={`relative min-h-24 flex-1 rounded bg-neutral-800 ring-1 ${invalid ? 'ring-red-500' : 'ring-neutral-700 focus-within:ring-sky-500'}`}
      >
        <div ref={layer} aria-hidden className={`${shared} pointer-events-none absolute inset-0 overflow-hidden text-neutral-100`}>
          {segmentPrompt(text).map((s, i) =>
            s.weight === undefined ? (
              <span key={i}>{s.text}</span>
            ) : (
              <span key={i} className={`rounded-sm ${s.weight >= 1 ? 'bg-amber-500/30 text-amber-200' : 'bg-sky-500/30 text-sky-200'}`}>
                {s.text}
              </span>
            ),
          )}
          {'\n'}
        </div>
        <textarea
          data-testid={`param-${nodeId}-${spec.name}`}
          spellCheck={false}
          placeholder={label}
          aria-label={label}
          className={`${shared} nodrag nowheel absolute inset-0 h-full w-full resize-none bg-transparent text-transparent caret-neutral-100 outline-none placeholder:text-neutral-500`}
          value={text}
          onScroll={(e) => {
            if (layer.current) layer.current.scrollTop = e.currentTarget.scrollTop;
          }}
          onChange={(e) => onChange(e.target.value)}
        />
      </div>
    </div>
  );
}
