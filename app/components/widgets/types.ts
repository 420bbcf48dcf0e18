import type { ParamKind, ParamOfKind, ParamValue } from '@/nodes/schemas';

export interface WidgetProps<K extends ParamKind> {
  nodeId: string;
  spec: ParamOfKind<K>;
  value: ParamValue | undefined;
  onChange: (value: ParamValue) => void;
  invalid: boolean;
}

/** Field look without sizing; callers add `min-w-0 flex-1` or a fixed width. */
export const fieldClass = (invalid: boolean) =>
  `nodrag rounded bg-neutral-800 px-1.5 py-0.5 text-xs text-neutral-100 outline-none ring-1 ${
    invalid ? 'ring-red-500' : 'ring-neutral-700 focus:ring-sky-500'
  }`;
