'use client';
import { useEffect } from 'react';
import { z } from 'zod';
import { useTemplateStore } from '@/app/stores/templateStore';
import { DEFAULT_WORKFLOW } from '@/app/lib/defaultGraph';
import { documentKey } from '@/app/lib/editorActions';
import { graphToWorkflow, parseWorkflow, workflowToGraph } from '@/app/lib/workflow';
import { useDocumentStore } from '@/app/stores/documentStore';
import { useGraphStore } from '@/app/stores/graphStore';

export const AUTOSAVE_KEY = 'latentloom.autosave';
const AUTOSAVE_DELAY_MS = 400;
const DIRTY_DELAY_MS = 120;

const savedSchema = z.object({
  workflow: z.unknown(),
  name: z.string().optional(),
  libraryName: z.string().nullable().optional(),
  baseline: z.string().optional(),
});

/**
 * Restores the last canvas (or the default graph on first start) with its document (name, library entry,
 * what counts as unchanged), keeps saving it locally, and keeps the unsaved-changes flag current.
 */
export function useAutosave() {
  useEffect(() => {
    const { byId } = useTemplateStore.getState();
    let restored = false;
    try {
      const saved = savedSchema.safeParse(JSON.parse(localStorage.getItem(AUTOSAVE_KEY) ?? 'null'));
      if (saved.success) {
        const parsed = parseWorkflow(saved.data.workflow, byId);
        if (parsed.ok) {
          const graph = workflowToGraph(parsed.workflow, byId);
          useGraphStore.getState().replaceGraph(graph, false);
          useDocumentStore.getState().setDocument({
            name: saved.data.name ?? 'untitled',
            libraryName: saved.data.libraryName ?? null,
            baseline: saved.data.baseline ?? documentKey(graph),
          });
          restored = true;
        }
      }
    } catch {
      // a corrupt autosave must not keep the editor from opening
    }
    let unsubModels = () => {};
    if (!restored) {
      const graph = workflowToGraph(DEFAULT_WORKFLOW, byId);
      useGraphStore.getState().replaceGraph(graph, false);
      useDocumentStore.getState().setDocument({ name: 'untitled', libraryName: null, baseline: documentKey(graph) });
      // first start: the default graph's empty checkpoint widget takes the first installed checkpoint, as in ComfyUI
      const pick = () => {
        const { models, modelsLoaded } = useTemplateStore.getState();
        if (!modelsLoaded) return false;
        const { nodes } = useGraphStore.getState();
        const ckpt = nodes.find((n) => n.data.type === 'CheckpointLoaderSimple' && n.data.params.ckpt_name === '');
        const files = models.checkpoints ?? [];
        const file = files.find((f) => f.family === 'sd1') ?? files[0];
        if (ckpt && file && documentKey(useGraphStore.getState()) === useDocumentStore.getState().baseline) {
          useGraphStore.getState().setParam(ckpt.id, 'ckpt_name', file.name, false);
          useDocumentStore.setState({ baseline: documentKey(useGraphStore.getState()) });
        }
        return true;
      };
      if (!pick()) unsubModels = useTemplateStore.subscribe(() => pick() && unsubModels());
    }

    let saveTimer: ReturnType<typeof setTimeout> | undefined;
    let dirtyTimer: ReturnType<typeof setTimeout> | undefined;
    const save = () => {
      const { nodes, edges, groups } = useGraphStore.getState();
      const { name, libraryName, baseline } = useDocumentStore.getState();
      try {
        localStorage.setItem(AUTOSAVE_KEY, JSON.stringify({ name, libraryName, baseline, workflow: graphToWorkflow({ nodes, edges, groups }) }));
      } catch {
        // storage full: the canvas keeps working, only the reload copy is stale
      }
    };
    const checkDirty = () => {
      const doc = useDocumentStore.getState();
      const dirty = documentKey(useGraphStore.getState()) !== doc.baseline;
      if (dirty !== doc.dirty) doc.setDirty(dirty);
    };
    const schedule = () => {
      clearTimeout(saveTimer);
      saveTimer = setTimeout(save, AUTOSAVE_DELAY_MS);
      clearTimeout(dirtyTimer);
      dirtyTimer = setTimeout(checkDirty, DIRTY_DELAY_MS);
    };
    const unsubGraph = useGraphStore.subscribe(
      (s, prev) => (s.nodes !== prev.nodes || s.edges !== prev.edges || s.groups !== prev.groups) && schedule(),
    );
    const unsubDoc = useDocumentStore.subscribe(
      (s, prev) => (s.name !== prev.name || s.baseline !== prev.baseline || s.libraryName !== prev.libraryName) && schedule(),
    );
    window.addEventListener('beforeunload', save);
    return () => {
      clearTimeout(saveTimer);
      clearTimeout(dirtyTimer);
      unsubGraph();
      unsubDoc();
      unsubModels();
      window.removeEventListener('beforeunload', save);
    };
  }, []);
}
