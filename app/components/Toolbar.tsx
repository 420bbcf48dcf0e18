'use client';
import { useEffect, useRef, useState } from 'react';
import { useReactFlow } from '@xyflow/react';
import { cancelJob, deleteFromLibrary, errorMessage, listLibrary, loadFromLibrary } from '@/app/lib/engineApi';
import { downloadCurrent, loadWorkflowValue, openFile, queueCurrent, saveCurrent, type ExportFormat } from '@/app/lib/editorActions';
import { useDocumentStore } from '@/app/stores/documentStore';
import { useGraphStore } from '@/app/stores/graphStore';
import { useRunStore } from '@/app/stores/runStore';
import { useToastStore } from '@/app/stores/toastStore';
import { RunProgressBar } from './RunProgressBar';

const button = 'rounded px-2 py-1 text-sm hover:bg-neutral-700 disabled:opacity-40';

function LibraryMenu({ onClose }: { onClose: () => void }) {
  const [names, setNames] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const setName = useDocumentStore((s) => s.setName);
  useEffect(() => {
    listLibrary().then(setNames, (err) => setError(errorMessage(err)));
  }, []);
  return (
    <div data-testid="library-menu" className="absolute left-0 top-9 z-40 w-72 rounded bg-neutral-900 p-2 shadow-xl ring-1 ring-neutral-700">
      {error && <p className="text-xs text-red-300">{error}</p>}
      {names?.length === 0 && <p className="text-xs text-neutral-500">the library is empty</p>}
      <ul className="max-h-72 overflow-auto">
        {names?.map((n) => (
          <li key={n} className="flex items-center">
            <button
              type="button"
              data-testid={`library-item-${n}`}
              className="flex-1 truncate rounded px-2 py-1 text-left text-sm hover:bg-neutral-800"
              onClick={async () => {
                onClose();
                try {
                  if (await loadWorkflowValue(await loadFromLibrary(n), n)) setName(n);
                } catch (err) {
                  useToastStore.getState().push(errorMessage(err), 'error');
                }
              }}
            >
              {n}
            </button>
            <button
              type="button"
              title="delete"
              className="rounded px-1 text-neutral-500 hover:bg-red-700 hover:text-white"
              onClick={() => deleteFromLibrary(n).then(() => setNames(names.filter((x) => x !== n)), (err) => setError(errorMessage(err)))}
            >
              ✕
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Toolbar({ onHelp }: { onHelp: () => void }) {
  const name = useDocumentStore((s) => s.name);
  const setName = useDocumentStore((s) => s.setName);
  const activeJobId = useRunStore((s) => s.activeJobId);
  const connected = useRunStore((s) => s.connected);
  const canUndo = useGraphStore((s) => s.past.length > 0);
  const canRedo = useGraphStore((s) => s.future.length > 0);
  const [libraryOpen, setLibraryOpen] = useState(false);
  const upload = useRef<HTMLInputElement>(null);
  const { setViewport } = useReactFlow();
  return (
    <header className="flex h-11 flex-none items-center gap-1 border-b border-neutral-800 bg-neutral-900 px-2">
      <span className="mr-2 font-semibold tracking-tight text-sky-300">Latent Loom</span>
      <button
        type="button"
        data-testid="new-workflow"
        className={button}
        onClick={() => {
          useGraphStore.getState().replaceGraph({ nodes: [], edges: [] });
          useRunStore.getState().clearIssues();
          void setViewport({ x: 0, y: 0, zoom: 1 });
          setName('untitled');
        }}
      >
        New
      </button>
      <div className="relative">
        <button type="button" data-testid="open-library" className={button} onClick={() => setLibraryOpen(!libraryOpen)}>
          Open…
        </button>
        {libraryOpen && <LibraryMenu onClose={() => setLibraryOpen(false)} />}
      </div>
      <input
        data-testid="workflow-name"
        className="w-40 rounded bg-neutral-800 px-2 py-0.5 text-sm outline-none ring-1 ring-neutral-700 focus:ring-sky-500"
        value={name}
        onChange={(e) => setName(e.target.value)}
        aria-label="workflow name"
      />
      <button type="button" data-testid="save-workflow" className={button} onClick={() => saveCurrent(name)}>
        Save
      </button>
      <button
        type="button"
        data-testid="save-workflow-as"
        className={button}
        onClick={() => {
          const next = window.prompt('Save as', name);
          if (next) {
            setName(next);
            void saveCurrent(next);
          }
        }}
      >
        Save as…
      </button>
      <button type="button" data-testid="download-workflow" className={button} onClick={() => downloadCurrent(name)}>
        Download
      </button>
      <select
        data-testid="export-workflow"
        aria-label="Export as"
        className={button}
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
      <span className="mx-1 h-5 w-px bg-neutral-700" />
      <button type="button" data-testid="undo" className={button} disabled={!canUndo} onClick={() => useGraphStore.getState().undo()} title="Ctrl+Z">
        ↶
      </button>
      <button type="button" data-testid="redo" className={button} disabled={!canRedo} onClick={() => useGraphStore.getState().redo()} title="Ctrl+Shift+Z">
        ↷
      </button>
      <div className="ml-auto flex items-center gap-2">
        <span className={`h-2 w-2 rounded-full ${connected ? 'bg-emerald-500' : 'bg-neutral-600'}`} title={connected ? 'live' : 'not connected to the engine'} />
        <RunProgressBar />
        <button
          type="button"
          data-testid="cancel-job"
          className={`${button} text-red-300`}
          disabled={!activeJobId}
          onClick={() => activeJobId && cancelJob(activeJobId).catch((err) => useToastStore.getState().push(errorMessage(err), 'error'))}
        >
          Cancel
        </button>
        <button
          type="button"
          data-testid="queue-button"
          className="rounded bg-sky-600 px-3 py-1 text-sm font-semibold text-white hover:bg-sky-500"
          onClick={() => void queueCurrent()}
          title="Ctrl+Enter"
        >
          Queue
        </button>
        <button type="button" data-testid="help-button" className={button} onClick={onHelp} title="?">
          ?
        </button>
      </div>
    </header>
  );
}
