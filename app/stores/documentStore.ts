import { create } from 'zustand';

/** What the canvas holds as a document: its name, the library entry it belongs to, and whether it changed since. */
export interface DocumentInfo {
  name: string;
  /** the library entry it was opened from or last saved to; null for a new, example or dropped file */
  libraryName: string | null;
  /** the workflow as last loaded or saved (documentKey), to tell unsaved changes */
  baseline: string;
}

export interface DocumentState extends DocumentInfo {
  dirty: boolean;
  setName: (name: string) => void;
  /** a document was loaded or saved: this is now the unchanged state */
  setDocument: (doc: DocumentInfo) => void;
  setDirty: (dirty: boolean) => void;
}

export const useDocumentStore = create<DocumentState>()((set) => ({
  name: 'untitled',
  libraryName: null,
  baseline: '',
  dirty: false,
  setName: (name) => set({ name }),
  setDocument: (doc) => set({ ...doc, dirty: false }),
  setDirty: (dirty) => set({ dirty }),
}));

export function documentInfo(): DocumentInfo {
  const { name, libraryName, baseline } = useDocumentStore.getState();
  return { name, libraryName, baseline };
}
