'use client';
import { useEffect, useState } from 'react';
import { listModelFolders, type ModelFolderInfo } from '@/app/lib/engineApi';
import { refreshModels } from '@/app/lib/engineSync';
import { parseExampleIndex, type ExampleEntry } from '@/app/lib/examples';
import { useTemplateStore } from '@/app/stores/templateStore';

/** With its article: "an SDXL checkpoint". */
const FAMILY_NAME: Record<string, string> = { sd1: 'a Stable Diffusion 1.x', sd2: 'a Stable Diffusion 2.x', sdxl: 'an SDXL' };

/** First start without a checkpoint: where to put one (the full path) and what each example needs. */
export function EmptyState({ onModels }: { onModels: () => void }) {
  const loaded = useTemplateStore((s) => s.modelsLoaded);
  const none = useTemplateStore((s) => (s.models.checkpoints ?? []).length === 0);
  const [folders, setFolders] = useState<ModelFolderInfo[] | null>(null);
  const [examples, setExamples] = useState<ExampleEntry[]>([]);
  const [dismissed, setDismissed] = useState(false);
  const show = loaded && none && !dismissed;
  useEffect(() => {
    if (!show) return;
    listModelFolders().then(setFolders, () => setFolders([]));
    fetch('/workflows/index.json')
      .then((r) => (r.ok ? r.json() : []))
      .then(
        (v: unknown) => setExamples(parseExampleIndex(v)),
        () => setExamples([]),
      );
  }, [show]);
  if (!show) return null;
  const dir = (f: string) => folders?.find((x) => x.folder === f)?.dirs[0]?.path ?? `models/${f}`;
  return (
    <div className="pointer-events-none absolute inset-0 z-10 flex items-center justify-center p-6">
      <div
        data-testid="empty-state"
        className="pointer-events-auto max-w-xl rounded-lg bg-neutral-900/95 p-5 text-sm shadow-2xl ring-1 ring-amber-700"
      >
        <h2 className="mb-2 text-base font-semibold text-amber-200">No checkpoint installed yet</h2>
        <p className="text-neutral-300">
          Put a Stable Diffusion checkpoint (<span className="font-mono">.safetensors</span> or <span className="font-mono">.ckpt</span>) in
        </p>
        <p data-testid="empty-state-path" className="my-2 break-all rounded bg-neutral-950 px-2 py-1 font-mono text-xs text-neutral-100">
          {dir('checkpoints')}
        </p>
        <p className="text-neutral-300">
          then press Refresh. A ComfyUI <span className="font-mono">models/</span> folder works as it is.
        </p>
        {examples.length > 0 && (
          <>
            <h3 className="mt-3 font-semibold text-neutral-200">What the examples need</h3>
            <ul data-testid="empty-state-examples" className="mt-1 list-inside list-disc text-xs text-neutral-300">
              {examples.map((e) => (
                <li key={e.file}>
                  <span className="text-neutral-100">{e.title}</span>: {FAMILY_NAME[e.needs?.checkpoint ?? ''] ?? 'a Stable Diffusion'} checkpoint
                  {e.needs?.folders?.map((f) => (
                    <span key={f}>
                      {' '}
                      and a file in <span className="font-mono">{dir(f)}</span>
                    </span>
                  ))}
                  {e.needs?.inputs?.length ? ` (its input image ships with the editor)` : ''}
                </li>
              ))}
            </ul>
          </>
        )}
        <div className="mt-4 flex gap-2">
          <button
            type="button"
            data-testid="empty-state-refresh"
            className="rounded bg-sky-600 px-3 py-1 text-white hover:bg-sky-500"
            onClick={() => void refreshModels()}
          >
            Refresh
          </button>
          <button type="button" className="rounded bg-neutral-700 px-3 py-1 hover:bg-neutral-600" onClick={onModels}>
            Model library
          </button>
          <button
            type="button"
            data-testid="empty-state-dismiss"
            className="ml-auto rounded px-3 py-1 text-neutral-400 hover:bg-neutral-800"
            onClick={() => setDismissed(true)}
          >
            Dismiss
          </button>
        </div>
      </div>
    </div>
  );
}
