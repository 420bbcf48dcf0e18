import { create } from 'zustand';
import { NODE_SCHEMAS, SCHEMAS_BY_ID, type ModelFolder, type NodeSchema, type SchemaMap } from '@/nodes/schemas';
import type { ModelFile } from '@/app/lib/engineApi';

export interface TemplateState {
  schemas: readonly NodeSchema[];
  byId: SchemaMap;
  models: Partial<Record<ModelFolder, ModelFile[]>>;
  setSchemas: (schemas: readonly NodeSchema[]) => void;
  setModels: (models: Partial<Record<ModelFolder, ModelFile[]>>) => void;
}

/** Node templates start from the bundled schemas, then follow what the server reports. */
export const useTemplateStore = create<TemplateState>()((set) => ({
  schemas: NODE_SCHEMAS,
  byId: SCHEMAS_BY_ID,
  models: {},
  setSchemas: (schemas) => set({ schemas, byId: Object.fromEntries(schemas.map((s) => [s.id, s])) }),
  setModels: (models) => set({ models }),
}));
