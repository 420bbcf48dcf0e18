'use client';
import { useEffect, useState } from 'react';
import { useReactFlow } from '@xyflow/react';
import { errorMessage, getJob } from '@/app/lib/engineApi';
import { copyOutputToInput } from '@/app/lib/inputFiles';
import { madeWith, type MadeWith } from '@/app/lib/jobDetails';
import { openJobWorkflow } from '@/app/lib/jobActions';
import { useViewerStore } from '@/app/stores/viewerStore';
import { Modal } from './Modal';

const button = 'rounded bg-neutral-800 px-2 py-1 text-xs hover:bg-neutral-700';

function Details({ jobId, nodeId }: { jobId: string; nodeId: string }) {
  const [info, setInfo] = useState<MadeWith | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setInfo(null);
    getJob(jobId).then(
      (job) => live && setInfo(madeWith(job.workflow, nodeId)),
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [jobId, nodeId]);
  if (error) return <p className="text-xs text-red-300">{error}</p>;
  if (!info) return <p className="text-xs text-neutral-500">loading…</p>;
  const rows: [string, string | number | null][] = [
    ['prompt', info.prompt],
    ['negative', info.negative],
    ['seed', info.seed],
    ['sampler', info.sampler && info.scheduler ? `${info.sampler} · ${info.scheduler}` : info.sampler],
    ['steps', info.steps],
    ['cfg', info.cfg],
    ['model', info.model],
  ];
  return (
    <dl data-testid="viewer-details" className="grid grid-cols-[5rem_1fr] gap-x-2 gap-y-1 text-xs">
      {rows.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="text-neutral-500">{k}</dt>
          <dd data-testid={`viewer-${k}`} className="break-words text-neutral-200">
            {v ?? '—'}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** Full size or fit, arrows for next/previous, download, what it was made with, load its workflow, use it as input. */
export function ImageViewer() {
  const items = useViewerStore((s) => s.items);
  const index = useViewerStore((s) => s.index);
  const close = useViewerStore((s) => s.close);
  const move = useViewerStore((s) => s.move);
  const [fit, setFit] = useState(true);
  const { screenToFlowPosition } = useReactFlow();
  const item = index === null ? undefined : items[index];
  useEffect(() => {
    if (!item) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'ArrowRight') move(1);
      else if (e.key === 'ArrowLeft') move(-1);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [item, move]);
  if (!item || index === null) return null;
  const file = item.path.split('/').pop() ?? 'image.png';
  return (
    <Modal onClose={close} testId="image-viewer" label="Image viewer" className="flex h-[92vh] w-[94vw] flex-col p-3">
      <div className="mb-2 flex items-center gap-2 text-sm">
        <span data-testid="viewer-position" className="tabular-nums text-neutral-400">
          {index + 1} / {items.length}
        </span>
        <span className="min-w-0 flex-1 truncate font-mono text-xs text-neutral-300" title={item.path}>
          {item.path}
        </span>
        <button
          type="button"
          data-testid="viewer-prev"
          className={button}
          disabled={index === 0}
          onClick={() => move(-1)}
          aria-label="previous image"
        >
          ←
        </button>
        <button
          type="button"
          data-testid="viewer-next"
          className={button}
          disabled={index === items.length - 1}
          onClick={() => move(1)}
          aria-label="next image"
        >
          →
        </button>
        <button type="button" data-testid="viewer-fit" className={button} onClick={() => setFit(!fit)}>
          {fit ? 'Full size' : 'Fit'}
        </button>
        <a data-testid="viewer-download" className={button} href={item.url} download={file}>
          Download
        </a>
        <button
          type="button"
          data-testid="viewer-load-workflow"
          className={button}
          onClick={() => void openJobWorkflow(item.jobId).then((ok) => ok && close())}
        >
          Load this workflow
        </button>
        <button
          type="button"
          data-testid="viewer-use-as-input"
          className={button}
          onClick={() => {
            const at = screenToFlowPosition({ x: window.innerWidth / 2, y: window.innerHeight / 2 });
            void copyOutputToInput(item.url, item.path, at).then((node) => node && close());
          }}
        >
          Use as input
        </button>
        <button type="button" data-testid="viewer-close" className={button} onClick={close} aria-label="close">
          ✕
        </button>
      </div>
      <div className="flex min-h-0 flex-1 gap-3">
        <div
          data-testid="viewer-stage"
          data-fit={fit ? 'true' : 'false'}
          className={`flex min-h-0 min-w-0 flex-1 rounded bg-neutral-950 ${fit ? 'items-center justify-center overflow-hidden' : 'items-start justify-start overflow-auto'}`}
        >
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img
            data-testid="viewer-image"
            src={item.url}
            alt={item.prompt ?? item.path}
            className={fit ? 'h-full w-full object-contain' : 'h-auto w-auto max-w-none shrink-0'}
            style={{ imageRendering: 'pixelated' }}
          />
        </div>
        <aside className="w-64 shrink-0 overflow-auto">
          <Details jobId={item.jobId} nodeId={item.nodeId} />
        </aside>
      </div>
    </Modal>
  );
}
