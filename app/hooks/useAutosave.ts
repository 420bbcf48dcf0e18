'use client';
import { useEffect } from 'react';
import { useTemplateStore } from '@/app/stores/templateStore';
import { DEFAULT_WORKFLOW } from '@/app/lib/defaultGraph';
import { graphToWorkflow, parseWorkflow, workflowToGraph } from '@/app/lib/workflow';
import { useDocumentStore } from '@/app/stores/documentStore';
import { useGraphStore } from '@/app/stores/graphStore';

export const AUTOSAVE_KEY = 'latentloom.autosave';
const AUTOSAVE_DELAY_MS = 400;

/** Restores the last canvas (or the default graph on first start) and keeps saving it locally. */
export function useAutosave() {
  useEffect(() => {
    const { byId } = useTemplateStore.getState();
    let restored = false;
    try {
      const saved = localStorage.getItem(AUTOSAVE_KEY);
      if (saved) {
        const { workflow, name } = JSON.parse(saved) as { workflow: unknown; name?: string };
        const parsed = parseWorkflow(workflow, byId);
        if (parsed.ok) {
          useGraphStore.getState().replaceGraph(workflowToGraph(parsed.workflow, byId), false);
          if (name) useDocumentStore.getState().setName(name);
          restored = true;
        }
      }
    } catch {
      // a corrupt autosave must not keep the editor from opening
    }
    if (!restored) useGraphStore.getState().replaceGraph(workflowToGraph(DEFAULT_WORKFLOW, byId), false);

    let timer: ReturnType<typeof setTimeout> | undefined;
    const save = () => {
      const { nodes, edges, groups } = useGraphStore.getState();
      localStorage.setItem(AUTOSAVE_KEY, JSON.stringify({ name: useDocumentStore.getState().name, workflow: graphToWorkflow({ nodes, edges, groups }) }));
    };
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(save, AUTOSAVE_DELAY_MS);
    };
    const unsubGraph = useGraphStore.subscribe((s, prev) => (s.nodes !== prev.nodes || s.edges !== prev.edges || s.groups !== prev.groups) && schedule());
    const unsubName = useDocumentStore.subscribe(schedule);
    window.addEventListener('beforeunload', save);
    return () => {
      clearTimeout(timer);
      unsubGraph();
      unsubName();
      window.removeEventListener('beforeunload', save);
    };
  }, []);
}
