'use client';
import { useEffect, useState } from 'react';
import { useReactFlow } from '@xyflow/react';
import { defaultParams, type NodeSchema } from '@/nodes/schemas';
import { DEFAULT_WORKFLOW } from '@/app/lib/defaultGraph';
import { errorMessage } from '@/app/lib/engineApi';
import { loadWorkflowValue } from '@/app/lib/editorActions';
import { useDocumentStore } from '@/app/stores/documentStore';
import { useGraphStore } from '@/app/stores/graphStore';
import { useToastStore } from '@/app/stores/toastStore';
import { NodePalette } from './NodePalette';

interface ExampleEntry {
  file: string;
  title: string;
  description?: string;
}

/** The example workflows the engine ships, listed by public/workflows/index.json. */
function Examples() {
  const [available, setAvailable] = useState<ExampleEntry[]>([]);
  const setName = useDocumentStore((s) => s.setName);
  useEffect(() => {
    fetch('/workflows/index.json')
      .then((r) => (r.ok ? (r.json() as Promise<ExampleEntry[]>) : []))
      .then((list) => setAvailable(Array.isArray(list) ? list.filter((e) => typeof e.file === 'string' && e.file.endsWith('.json')) : []))
      .catch(() => setAvailable([]));
  }, []);
  const open = async (name: string) => {
    try {
      const res = await fetch(`/workflows/${encodeURIComponent(name)}.json`);
      if (await loadWorkflowValue(await res.json(), name)) setName(name);
    } catch (err) {
      useToastStore.getState().push(errorMessage(err), 'error');
    }
  };
  return (
    <section className="flex flex-col gap-1">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-neutral-400">Examples</h3>
      <button
        type="button"
        data-testid="example-default"
        className="rounded px-2 py-1 text-left text-sm hover:bg-neutral-800"
        onClick={() => void loadWorkflowValue(DEFAULT_WORKFLOW, 'default text-to-image')}
      >
        default text-to-image
      </button>
      {available.map((e) => {
        const n = e.file.replace(/\.json$/, '');
        return (
          <button key={n} type="button" data-testid={`example-${n}`} title={e.description} className="rounded px-2 py-1 text-left text-sm hover:bg-neutral-800" onClick={() => void open(n)}>
            {e.title}
          </button>
        );
      })}
    </section>
  );
}

export function Sidebar() {
  const { screenToFlowPosition } = useReactFlow();
  const add = (schema: NodeSchema) => {
    const canvas = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
    const center = canvas ? { x: canvas.left + canvas.width / 2, y: canvas.top + canvas.height / 2 } : { x: 400, y: 300 };
    const jitter = (useGraphStore.getState().nodes.length % 5) * 24;
    const at = screenToFlowPosition(center);
    useGraphStore.getState().addNode(schema.id, defaultParams(schema), { x: at.x - 140 + jitter, y: at.y - 80 + jitter });
  };
  return (
    <aside className="flex w-56 flex-none flex-col gap-3 overflow-hidden border-r border-neutral-800 bg-neutral-900 p-2">
      <NodePalette testId="sidebar-palette" filter={null} onPick={add} className="min-h-0 flex-1" />
      <Examples />
    </aside>
  );
}
