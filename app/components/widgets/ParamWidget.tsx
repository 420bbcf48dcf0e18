'use client';
import type { ComponentType } from 'react';
import type { ParamKind, ParamSpec, ParamValue } from '@/nodes/schemas';
import type { WidgetProps } from './types';
import { NumberWidget } from './NumberWidget';
import { IntWidget } from './IntWidget';
import { SeedWidget } from './SeedWidget';
import { PromptWidget } from './PromptWidget';
import { SelectWidget } from './SelectWidget';
import { ModelWidget } from './ModelWidget';
import { BooleanWidget } from './BooleanWidget';
import { ImageWidget } from './ImageWidget';
import { AnyWidget } from './AnyWidget';

/** Exhaustive: a new ParamKind without a widget is a compile error. */
const WIDGETS: { [K in ParamKind]: ComponentType<WidgetProps<K>> } = {
  number: NumberWidget,
  int: IntWidget,
  seed: SeedWidget,
  text: PromptWidget,
  select: SelectWidget,
  model: ModelWidget,
  boolean: BooleanWidget,
  image: ImageWidget,
  any: AnyWidget,
};

interface Props {
  nodeId: string;
  spec: ParamSpec;
  value: ParamValue | undefined;
  onChange: (value: ParamValue) => void;
  invalid: boolean;
}

export function ParamWidget({ spec, ...rest }: Props) {
  // The map is keyed by the same discriminant, so this pairing is sound.
  const Widget = WIDGETS[spec.kind] as ComponentType<WidgetProps<typeof spec.kind>>;
  return (
    <div data-testid={`param-row-${rest.nodeId}-${spec.name}`} data-error={rest.invalid ? 'true' : undefined} title={spec.description}>
      <Widget spec={spec as never} {...rest} />
    </div>
  );
}
