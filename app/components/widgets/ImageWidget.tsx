'use client';
import { useRef, useState } from 'react';
import { useToastStore } from '@/app/stores/toastStore';
import type { WidgetProps } from './types';
import { fieldClass } from './types';

/** Stores a file in the server's input/ folder (PUT /api/inputs/<name>) and answers the name it was saved under. */
async function uploadInput(file: File): Promise<string> {
  const res = await fetch(`/api/inputs/${encodeURIComponent(file.name)}`, { method: 'PUT', body: file });
  const body = (await res.json().catch(() => ({}))) as { name?: string; error?: string };
  if (!res.ok || typeof body.name !== 'string') throw new Error(`upload of ${file.name} failed: ${body.error ?? `HTTP ${res.status}`}`);
  return body.name;
}

/** A file name inside input/ (the engine resolves it there), typed or uploaded from this computer. */
export function ImageWidget({ nodeId, spec, value, onChange, invalid }: WidgetProps<'image'>) {
  const picker = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const accept = spec.accept ?? [];
  const upload = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    try {
      onChange(await uploadInput(file));
    } catch (e) {
      useToastStore.getState().push(e instanceof Error ? e.message : String(e), 'error');
    } finally {
      setBusy(false);
      if (picker.current) picker.current.value = '';
    }
  };
  return (
    <label className="flex items-center gap-1">
      <span className="w-20 shrink-0 truncate text-neutral-400">{spec.label ?? spec.name}</span>
      <input
        data-testid={`param-${nodeId}-${spec.name}`}
        className={`${fieldClass(invalid)} min-w-0 flex-1`}
        placeholder={`file in input/ (${accept.join(' ')})`}
        value={typeof value === 'string' ? value : spec.default}
        onChange={(e) => onChange(e.target.value)}
      />
      <button
        type="button"
        data-testid={`upload-${nodeId}-${spec.name}`}
        className="nodrag shrink-0 rounded bg-neutral-700 px-1.5 py-0.5 text-[10px] hover:bg-neutral-600 disabled:opacity-50"
        disabled={busy}
        title={`upload a ${accept.join(' or ')} file into input/`}
        onClick={() => picker.current?.click()}
      >
        {busy ? '…' : 'Upload'}
      </button>
      <input
        ref={picker}
        data-testid={`upload-file-${nodeId}-${spec.name}`}
        type="file"
        accept={accept.join(',')}
        className="hidden"
        onChange={(e) => void upload(e.target.files?.[0])}
      />
    </label>
  );
}
