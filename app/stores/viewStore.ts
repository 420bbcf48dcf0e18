import { create } from 'zustand';

const PANELS_KEY = 'latentloom.panels';

export interface Panels {
  left: boolean;
  right: boolean;
}

/** Requests to the canvas viewport from outside React Flow's tree, and the side panels' open state. */
export interface ViewState {
  fitRequest: number;
  requestFit: () => void;
  panels: Panels;
  togglePanel: (side: keyof Panels) => void;
  /** a node to bring into view at a readable zoom (clicking a widget while zoomed out) */
  focusRequest: { nodeId: string; widget?: string; n: number } | null;
  requestFocus: (nodeId: string, widget?: string) => void;
  /**
   * Set by the canvas: moves the viewport onto nodes before they are drawn (from their positions), so a loaded
   * graph renders once at its final zoom instead of first at the old one; requestFit then fits it exactly.
   */
  prefit: ((nodes: readonly { position: { x: number; y: number }; width?: number }[]) => void) | null;
  setPrefit: (f: ViewState['prefit']) => void;
}

function loadPanels(): Panels {
  try {
    const v = JSON.parse(localStorage.getItem(PANELS_KEY) ?? 'null') as Partial<Panels> | null;
    return { left: v?.left !== false, right: v?.right !== false };
  } catch {
    return { left: true, right: true };
  }
}

export const useViewStore = create<ViewState>()((set, get) => ({
  fitRequest: 0,
  requestFit: () => set({ fitRequest: get().fitRequest + 1 }),
  panels: typeof window === 'undefined' ? { left: true, right: true } : loadPanels(),
  togglePanel: (side) => {
    const panels = { ...get().panels, [side]: !get().panels[side] };
    set({ panels });
    try {
      localStorage.setItem(PANELS_KEY, JSON.stringify(panels));
    } catch {
      // storage full or blocked: the toggle still works for this page
    }
  },
  focusRequest: null,
  requestFocus: (nodeId, widget) => set({ focusRequest: { nodeId, widget, n: (get().focusRequest?.n ?? 0) + 1 } }),
  prefit: null,
  setPrefit: (prefit) => set({ prefit }),
}));

/** The pointer's last canvas position (flow coordinates), for paste at the cursor; not state, so moving never re-renders. */
let pointer: { x: number; y: number } | null = null;
export const lastPointer = () => pointer;
export const setLastPointer = (p: { x: number; y: number } | null) => {
  pointer = p;
};
