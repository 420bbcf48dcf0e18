import { create } from 'zustand';

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  text: string;
  /** how many times the same message came while it was up */
  count: number;
}

export interface ToastState {
  toasts: Toast[];
  push: (text: string, kind?: Toast['kind']) => void;
  dismiss: (id: number) => void;
}

/** At most this many stacked; the oldest goes first. */
export const TOAST_MAX = 5;
export const TOAST_MS = { info: 4000, error: 8000 } as const;

let nextId = 1;
const timers = new Map<number, ReturnType<typeof setTimeout>>();

export const useToastStore = create<ToastState>()((set, get) => {
  const expire = (id: number, kind: Toast['kind']) => {
    clearTimeout(timers.get(id));
    timers.set(
      id,
      setTimeout(() => get().dismiss(id), TOAST_MS[kind]),
    );
  };
  return {
    toasts: [],
    push: (text, kind = 'info') => {
      // the same message again restarts its timer instead of stacking a copy
      const same = get().toasts.find((t) => t.text === text && t.kind === kind);
      if (same) {
        set({ toasts: get().toasts.map((t) => (t === same ? { ...t, count: t.count + 1 } : t)) });
        expire(same.id, kind);
        return;
      }
      const id = nextId++;
      const kept = get().toasts.slice(-(TOAST_MAX - 1));
      for (const gone of get().toasts.filter((t) => !kept.includes(t))) clearTimeout(timers.get(gone.id));
      set({ toasts: [...kept, { id, kind, text, count: 1 }] });
      expire(id, kind);
    },
    dismiss: (id) => {
      clearTimeout(timers.get(id));
      timers.delete(id);
      set({ toasts: get().toasts.filter((t) => t.id !== id) });
    },
  };
});
