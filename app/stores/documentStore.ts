import { create } from 'zustand';

/** Which library entry the canvas was opened from / saves to. */
export interface DocumentState {
  name: string;
  setName: (name: string) => void;
}

export const useDocumentStore = create<DocumentState>()((set) => ({
  name: 'untitled',
  setName: (name) => set({ name }),
}));
