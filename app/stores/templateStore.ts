import { create } from 'zustand';
import { schemaMap, type ModelFolder, type NodeSchema, type SchemaMap } from '@/nodes/schemas';
import type { ModelFile } from '@/app/lib/engineApi';

export interface TemplateState {
  schemas: readonly NodeSchema[];
  /** by id and by ComfyUI alias */
  byId: SchemaMap;
  /** true once the server's registry has arrived (the editor waits for it) */
  loaded: boolean;
  models: Partial<Record<ModelFolder, ModelFile[]>>;
  /** true once the server's model lists have arrived (an empty list then means no files) */
  modelsLoaded: boolean;
  setSchemas: (schemas: readonly NodeSchema[]) => void;
  setModels: (models: Partial<Record<ModelFolder, ModelFile[]>>) => void;
}

/** Node templates come from the server's registry (nodes/registry.ts): no node list is bundled with the editor. */
export const useTemplateStore = create<TemplateState>()((set) => ({
  schemas: [],
  byId: {},
  loaded: false,
  models: {},
  modelsLoaded: false,
  setSchemas: (schemas) => set({ schemas, byId: schemaMap(schemas), loaded: true }),
  setModels: (models) => set({ models, modelsLoaded: true }),
}));
