'use client';
import { useRef, useState } from 'react';
import { useReactFlow } from '@xyflow/react';
import { cancelJob, errorMessage } from '@/app/lib/engineApi';
import { downloadCurrent, newDocument, openFile, queueCurrent, saveAs, saveCurrent, type ExportFormat } from '@/app/lib/editorActions';
import { useDocumentStore } from '@/app/stores/documentStore';
import { useGraphStore } from '@/app/stores/graphStore';
import { useJobsStore } from '@/app/stores/jobsStore';
import { useRunStore } from '@/app/stores/runStore';
import { useToastStore } from '@/app/stores/toastStore';
import { LibraryMenu } from './LibraryMenu';
import { RunProgressBar } from './RunProgressBar';

const button = 'shrink-0 rounded px-1.5 py-1 text-sm hover:bg-neutral-700 disabled:opacity-40 xl:px-2';

/** Green when the server answers the heartbeat, red (with the header) within seconds of it going away. */
function ConnectionStatus() {
  const connection = useJobsStore((s) => s.connection);
  const text = connection === 'online' ? 'connected' : connection === 'offline' ? 'server unreachable: reconnecting…' : 'connecting…';
  return (
    <span data-testid="connection-status" data-state={connection} className="flex shrink-0 items-center gap-1.5 text-xs" title={text}>
      <span
        className={`h-2.5 w-2.5 rounded-full ${connection === 'online' ? 'bg-emerald-500' : connection === 'offline' ? 'animate-pulse bg-red-500' : 'bg-neutral-500'}`}
      />
      {connection === 'offline' && <span className="whitespace-nowrap font-semibold text-red-200">{text}</span>}
    </span>
  );
}

/** What Cancel stops: the job running now, else this canvas's job that waits to run. */
function cancelTarget(): string | null {
  const run = useRunStore.getState();
  if (run.running) return run.running.jobId;
  return run.canvasJobId && !run.canvasEnded ? run.canvasJobId : null;
}

export function Toolbar({ onHelp, onModels }: { onHelp: () => void; onModels: () => void }) {
  const name = useDocumentStore((s) => s.name);
  const dirty = useDocumentStore((s) => s.dirty);
  const setName = useDocumentStore((s) => s.setName);
  const canCancel = useRunStore((s) => s.running !== null || (s.canvasJobId !== null && !s.canvasEnded));
  const offline = useJobsStore((s) => s.connection === 'offline');
  const canUndo = useGraphStore((s) => s.past.length > 0);
  const canRedo = useGraphStore((s) => s.future.length > 0);
  const [libraryOpen, setLibraryOpen] = useState(false);
  const upload = useRef<HTMLInputElement>(null);
  const { setViewport } = useReactFlow();
  return (
    <header
      data-testid="toolbar"
      data-connection={offline ? 'offline' : 'online'}
      className={`flex h-11 flex-none items-center gap-2 border-b px-2 transition-colors ${offline ? 'border-red-700 bg-red-950' : 'border-neutral-800 bg-neutral-900'}`}
    >
      <div className="flex min-w-0 flex-1 items-center gap-1 overflow-hidden">
        <span className="mr-1 shrink-0 font-semibold tracking-tight text-sky-300" title="Latent Loom">
          <span className="xl:hidden">LL</span>
          <span className="hidden xl:inline">Latent Loom</span>
        </span>
        <button
          type="button"
          data-testid="new-workflow"
          className={button}
          onClick={async () => {
            if (await newDocument()) void setViewport({ x: 0, y: 0, zoom: 1 });
          }}
        >
          New
        </button>
        <div className="relative shrink-0">
          <button type="button" data-testid="open-library" className={button} onClick={() => setLibraryOpen(!libraryOpen)}>
            Open…
          </button>
          {libraryOpen && <LibraryMenu onClose={() => setLibraryOpen(false)} />}
        </div>
        <span className="flex shrink-0 items-center">
          <input
            data-testid="workflow-name"
            className="w-24 rounded bg-neutral-800 px-2 py-0.5 text-sm outline-none ring-1 ring-neutral-700 focus:ring-sky-500 xl:w-40"
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-label="workflow name"
          />
          <span
            data-testid="dirty-marker"
            role="img"
            aria-label={dirty ? 'unsaved changes' : 'saved'}
            title={dirty ? 'unsaved changes' : 'no unsaved changes'}
            className={`ml-1 w-2 text-amber-400 ${dirty ? '' : 'invisible'}`}
            data-dirty={dirty ? 'true' : 'false'}
          >
            ●
          </span>
        </span>
        <button type="button" data-testid="save-workflow" className={button} onClick={() => void saveCurrent()} title="Ctrl+S">
          Save
        </button>
        <button type="button" data-testid="save-workflow-as" className={button} onClick={() => void saveAs()}>
          Save as…
        </button>
        <button type="button" data-testid="download-workflow" className={`${button} hidden xl:block`} onClick={() => downloadCurrent(name)}>
          Download
        </button>
        <select
          data-testid="export-workflow"
          aria-label="Export as"
          className={`${button} w-24 bg-neutral-900`}
          value=""
          onChange={(e) => {
            const format = e.target.value as ExportFormat;
            if (format) downloadCurrent(name, format);
            e.target.value = '';
          }}
        >
          <option value="">Export…</option>
          <option value="comfy-ui">ComfyUI workflow (.json)</option>
          <option value="comfy-api">ComfyUI API prompt (.json)</option>
          <option value="latentloom">Latent Loom workflow (.json)</option>
        </select>
        <button type="button" data-testid="upload-workflow" className={button} onClick={() => upload.current?.click()}>
          Upload
        </button>
        <input
          ref={upload}
          data-testid="upload-input"
          type="file"
          accept=".json,.png,application/json,image/png"
          className="hidden"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void openFile(f);
            e.target.value = '';
          }}
        />
        <span className="mx-1 h-5 w-px shrink-0 bg-neutral-700" />
        <button
          type="button"
          data-testid="undo"
          className={button}
          disabled={!canUndo}
          onClick={() => useGraphStore.getState().undo()}
          title="Ctrl+Z"
          aria-label="undo"
        >
          ↶
        </button>
        <button
          type="button"
          data-testid="redo"
          className={button}
          disabled={!canRedo}
          onClick={() => useGraphStore.getState().redo()}
          title="Ctrl+Shift+Z"
          aria-label="redo"
        >
          ↷
        </button>
        <button
          type="button"
          data-testid="models-button"
          className={button}
          onClick={onModels}
          title="every model folder, what is in it and which workflows use it"
        >
          Models
        </button>
      </div>
      <div className="flex flex-none items-center gap-2">
        <ConnectionStatus />
        <RunProgressBar />
        <button
          type="button"
          data-testid="cancel-job"
          className={`${button} text-red-300`}
          disabled={!canCancel}
          onClick={() => {
            const id = cancelTarget();
            if (id) cancelJob(id).catch((err) => useToastStore.getState().push(errorMessage(err), 'error'));
          }}
        >
          Cancel
        </button>
        <button
          type="button"
          data-testid="queue-button"
          className={`shrink-0 rounded px-3 py-1 text-sm font-semibold text-white ${offline ? 'bg-neutral-700 text-neutral-300' : 'bg-sky-600 hover:bg-sky-500'}`}
          onClick={() => void queueCurrent()}
          title={offline ? 'the server is not reachable' : 'Ctrl+Enter'}
        >
          Queue
        </button>
        <button type="button" data-testid="help-button" className={button} onClick={onHelp} title="?" aria-label="keyboard shortcuts">
          ?
        </button>
      </div>
    </header>
  );
}
