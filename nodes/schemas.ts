/**
 * Client-safe helpers over node schemas. The list itself comes from the registry (nodes/registry.ts, server), which
 * the editor receives from the server: no node is listed by hand anywhere.
 */
import type { NodeSchema, ParamValue } from './types';

export * from './types';

export type SchemaMap = Readonly<Record<string, NodeSchema>>;

export function schemaMap(schemas: readonly NodeSchema[]): SchemaMap {
  const map: Record<string, NodeSchema> = {};
  for (const s of schemas) {
    map[s.id] = s;
    for (const a of s.aliases ?? []) map[a.id] ??= s;
  }
  return Object.freeze(map);
}

export function getSchema(id: string, schemas: SchemaMap): NodeSchema | undefined {
  return Object.hasOwn(schemas, id) ? schemas[id] : undefined;
}

/** Default parameter values for a new node of this type. */
export function defaultParams(schema: NodeSchema): Record<string, ParamValue> {
  return Object.fromEntries(schema.params.map((p) => [p.name, p.default]));
}
