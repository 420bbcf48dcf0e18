import { create } from 'zustand';

/** Requests to the canvas viewport from outside React Flow's tree (loading a file fits it to view). */
export interface ViewState {
  fitRequest: number;
  requestFit: () => void;
}

export const useViewStore = create<ViewState>()((set, get) => ({
  fitRequest: 0,
  requestFit: () => set({ fitRequest: get().fitRequest + 1 }),
}));
