'use client';
import { useCallback, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useAutosave } from '@/app/hooks/useAutosave';
import { useEngineSync } from '@/app/hooks/useEngineSync';
import { useShortcuts } from '@/app/hooks/useShortcuts';
import { useTemplateStore } from '@/app/stores/templateStore';
import { useViewStore } from '@/app/stores/viewStore';
import { Canvas } from './Canvas';
import { DialogHost } from './DialogHost';
import { EmptyState } from './EmptyState';
import { ImageViewer } from './ImageViewer';
import { ModelLibrary } from './ModelLibrary';
import { RightPanel } from './RightPanel';
import { ShortcutsHelp } from './ShortcutsHelp';
import { Sidebar } from './Sidebar';
import { Toasts } from './Toasts';
import { Toolbar } from './Toolbar';

export function Editor() {
  useEngineSync();
  const loaded = useTemplateStore((s) => s.loaded);
  if (!loaded) {
    return (
      <div data-testid="editor-loading" className="flex h-screen items-center justify-center text-sm text-neutral-400">
        Loading node types from the Latent Loom server…
      </div>
    );
  }
  return <EditorReady />;
}

function PanelToggle({ side, open }: { side: 'left' | 'right'; open: boolean }) {
  const toggle = useViewStore((s) => s.togglePanel);
  const arrow = (side === 'left') === open ? '‹' : '›';
  return (
    <button
      type="button"
      data-testid={`toggle-${side}-panel`}
      aria-label={`${open ? 'hide' : 'show'} the ${side} panel`}
      aria-expanded={open}
      title={`${open ? 'hide' : 'show'} the ${side === 'left' ? 'node list and examples' : 'queue, gallery and history'}`}
      className={`absolute top-2 z-20 h-8 w-4 rounded bg-neutral-800/90 text-xs text-neutral-300 ring-1 ring-neutral-700 hover:bg-neutral-700 ${side === 'left' ? 'left-0 rounded-l-none' : 'right-0 rounded-r-none'}`}
      onClick={() => toggle(side)}
    >
      {arrow}
    </button>
  );
}

/** The editor once the server's node registry has arrived (the canvas, autosave and palette all read it). */
function EditorReady() {
  const [help, setHelp] = useState(false);
  const [models, setModels] = useState(false);
  const panels = useViewStore((s) => s.panels);
  const toggleHelp = useCallback(() => setHelp((h) => !h), []);
  useAutosave();
  useShortcuts(toggleHelp);
  return (
    <ReactFlowProvider>
      <div className="flex h-screen flex-col overflow-hidden">
        <Toolbar onHelp={toggleHelp} onModels={() => setModels(true)} />
        <div className="flex min-h-0 flex-1">
          {panels.left && <Sidebar />}
          <main className="relative min-w-0 flex-1">
            <Canvas />
            <EmptyState onModels={() => setModels(true)} />
            <PanelToggle side="left" open={panels.left} />
            <PanelToggle side="right" open={panels.right} />
          </main>
          {panels.right && <RightPanel />}
        </div>
      </div>
      {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
      {models && <ModelLibrary onClose={() => setModels(false)} />}
      <ImageViewer />
      <DialogHost />
      <Toasts />
    </ReactFlowProvider>
  );
}
