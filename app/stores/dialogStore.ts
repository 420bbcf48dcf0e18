import { create } from 'zustand';

export type Tone = 'primary' | 'danger' | 'plain';

export interface DialogChoice<V extends string = string> {
  value: V;
  label: string;
  tone?: Tone;
}

/** A modal question: buttons, and optionally one text field (Save as). */
export interface DialogSpec {
  title: string;
  message?: string;
  choices: readonly DialogChoice[];
  /** the choice Enter takes; Esc and a click outside always answer null */
  defaultValue?: string;
  input?: { label: string; initial: string; validate?: (text: string) => string | null };
  testId?: string;
}

export interface DialogAnswer {
  choice: string | null;
  text: string;
}

interface Open extends DialogSpec {
  id: number;
  resolve: (a: DialogAnswer) => void;
}

export interface DialogState {
  current: Open | null;
  ask: (spec: DialogSpec) => Promise<DialogAnswer>;
  answer: (a: DialogAnswer) => void;
}

let nextId = 1;

/** One dialog at a time; opening another answers the first with null (cancel). */
export const useDialogStore = create<DialogState>()((set, get) => ({
  current: null,
  ask: (spec) =>
    new Promise<DialogAnswer>((resolve) => {
      get().current?.resolve({ choice: null, text: '' });
      set({ current: { ...spec, id: nextId++, resolve } });
    }),
  answer: (a) => {
    const c = get().current;
    if (!c) return;
    set({ current: null });
    c.resolve(a);
  },
}));

/** Yes/no in the app's own dialog (never window.confirm). */
export async function confirmDialog(o: { title: string; message?: string; confirm: string; danger?: boolean; testId?: string }): Promise<boolean> {
  const a = await useDialogStore.getState().ask({
    title: o.title,
    message: o.message,
    testId: o.testId ?? 'confirm-dialog',
    defaultValue: 'ok',
    choices: [
      { value: 'cancel', label: 'Cancel', tone: 'plain' },
      { value: 'ok', label: o.confirm, tone: o.danger ? 'danger' : 'primary' },
    ],
  });
  return a.choice === 'ok';
}

/** A name in the app's own dialog (never window.prompt); null when cancelled. */
export async function promptDialog(o: {
  title: string;
  label: string;
  initial: string;
  confirm: string;
  validate?: (t: string) => string | null;
  testId?: string;
}): Promise<string | null> {
  const a = await useDialogStore.getState().ask({
    title: o.title,
    testId: o.testId ?? 'prompt-dialog',
    input: { label: o.label, initial: o.initial, validate: o.validate },
    defaultValue: 'ok',
    choices: [
      { value: 'cancel', label: 'Cancel', tone: 'plain' },
      { value: 'ok', label: o.confirm, tone: 'primary' },
    ],
  });
  return a.choice === 'ok' ? a.text : null;
}
