'use client';
import { useCallback, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useAutosave } from '@/app/hooks/useAutosave';
import { useEngineSync } from '@/app/hooks/useEngineSync';
import { useShortcuts } from '@/app/hooks/useShortcuts';
import { useTemplateStore } from '@/app/stores/templateStore';
import { Canvas } from './Canvas';
import { Gallery } from './Gallery';
import { QueuePanel } from './QueuePanel';
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

/** The editor once the server's node registry has arrived (the canvas, autosave and palette all read it). */
function EditorReady() {
  const [help, setHelp] = useState(false);
  const toggleHelp = useCallback(() => setHelp((h) => !h), []);
  useAutosave();
  useShortcuts(toggleHelp);
  return (
    <ReactFlowProvider>
      <div className="flex h-screen flex-col overflow-hidden">
        <Toolbar onHelp={toggleHelp} />
        <div className="flex min-h-0 flex-1">
          <Sidebar />
          <main className="min-w-0 flex-1">
            <Canvas />
          </main>
          <aside className="flex w-60 flex-none flex-col gap-3 overflow-hidden border-l border-neutral-800 bg-neutral-900 p-2">
            <QueuePanel />
            <Gallery />
          </aside>
        </div>
      </div>
      {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
      <Toasts />
    </ReactFlowProvider>
  );
}
