import { create } from 'zustand';

/** An output image as the gallery, history and viewer know it. */
export interface GalleryItem {
  url: string;
  /** path under output/ */
  path: string;
  jobId: string;
  nodeId: string;
  /** workflow title and prompt excerpt of its job */
  title: string | null;
  prompt: string | null;
}

export interface ViewerState {
  items: GalleryItem[];
  index: number | null;
  open: (items: GalleryItem[], index: number) => void;
  move: (by: number) => void;
  close: () => void;
}

/** The image viewer: one list of images and the one shown; arrows walk the list. */
export const useViewerStore = create<ViewerState>()((set, get) => ({
  items: [],
  index: null,
  open: (items, index) => set({ items, index: Math.max(0, Math.min(index, items.length - 1)) }),
  move: (by) => {
    const { index, items } = get();
    if (index === null || items.length === 0) return;
    set({ index: Math.max(0, Math.min(items.length - 1, index + by)) });
  },
  close: () => set({ index: null }),
}));
