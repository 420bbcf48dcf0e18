/**
 * Writing a node schema: one ordered list of sockets and widgets (as ComfyUI's INPUT_TYPES / V3 define_schema),
 * declared once with literal types so the implementation's `params` and `inputs` are typed from it.
 * Client-safe: no server imports.
 */
import type {
  AnyParam,
  BooleanParam,
  ImageParam,
  InputSpec,
  IntParam,
  IoSpec,
  ModelFolder,
  ModelParam,
  NodeSchema,
  NumberParam,
  OutputSpec,
  ParamSpec,
  SeedParam,
  SelectParam,
  SocketType,
  TextParam,
} from './types';
import { isWidgetSpec } from './types';

type Opt<T> = Omit<T, 'name' | 'kind'>;

export const socket = <const N extends string, const T extends SocketType>(name: N, type: T, description?: string): InputSpec<N, T> => ({
  name,
  type,
  ...(description ? { description } : {}),
});
export const optional = <const N extends string, const T extends SocketType>(name: N, type: T, description?: string) =>
  ({ name, type, optional: true as const, ...(description ? { description } : {}) }) as InputSpec<N, T> & { optional: true };
export const float = <const N extends string>(name: N, o: Opt<NumberParam>): NumberParam<N> => ({ name, kind: 'number', ...o });
export const int = <const N extends string>(name: N, o: Opt<IntParam>): IntParam<N> => ({ name, kind: 'int', ...o });
export const seed = <const N extends string>(name: N, o: Partial<Opt<SeedParam>> = {}): SeedParam<N> => ({
  name,
  kind: 'seed',
  default: 0,
  control: 'randomize',
  ...o,
});
export const text = <const N extends string>(name: N, o: Partial<Opt<TextParam>> = {}): TextParam<N> => ({ name, kind: 'text', default: '', ...o });
export const combo = <const N extends string, const O extends string>(
  name: N,
  options: readonly O[],
  o: Partial<Opt<SelectParam<N, O>>> = {},
): SelectParam<N, O> => ({ name, kind: 'select', options, default: options[0], ...o });
export const bool = <const N extends string>(name: N, o: Opt<BooleanParam>): BooleanParam<N> => ({ name, kind: 'boolean', ...o });
export const modelFile = <const N extends string, const O extends Partial<Opt<ModelParam>> = object>(name: N, folder: ModelFolder, o?: O) =>
  ({ name, kind: 'model', folder, default: '', ...o }) as ModelParam<N> & O;
export const inputFile = <const N extends string>(name: N, o: Partial<Opt<ImageParam>> = {}): ImageParam<N> => ({
  name,
  kind: 'image',
  default: '',
  ...o,
});
export const anyValue = <const N extends string>(name: N, o: Partial<Opt<AnyParam>> = {}): AnyParam<N> => ({ name, kind: 'any', default: 0, ...o });
export const out = <const N extends string, const T extends SocketType>(name: N, type: T, description?: string): OutputSpec<N, T> => ({
  name,
  type,
  ...(description ? { description } : {}),
});
/** ComfyUI names most outputs after their type: `out1('LATENT')` */
export const out1 = <const T extends SocketType>(type: T, description?: string): OutputSpec<T, T> => out(type, type, description);

export type SchemaSpec = Omit<NodeSchema, 'inputs' | 'params'>;

/** The schema with its `inputs` and `params` split out of `io`; the spec's literal types are kept for inference. */
export type DefinedSchema<S extends SchemaSpec> = S & {
  inputs: readonly Extract<S['io'][number], InputSpec>[];
  params: readonly Extract<S['io'][number], ParamSpec>[];
};

export function defineSchema<const S extends SchemaSpec>(spec: S): DefinedSchema<S> {
  const names = new Set<string>();
  for (const item of spec.io) {
    if (names.has(item.name)) throw new Error(`${spec.id}: input "${item.name}" is declared twice`);
    names.add(item.name);
  }
  const outNames = new Set<string>();
  for (const o of spec.outputs) {
    if (outNames.has(o.name)) throw new Error(`${spec.id}: output "${o.name}" is declared twice`);
    outNames.add(o.name);
  }
  const inputs = spec.io.filter((s: IoSpec): s is InputSpec => !isWidgetSpec(s));
  const params = spec.io.filter(isWidgetSpec);
  return { ...spec, inputs, params } as unknown as DefinedSchema<S>;
}
