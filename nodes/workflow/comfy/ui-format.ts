/**
 * ComfyUI's UI ("workflow") format, read tolerantly: schema 0.4 (links as arrays) and 1 (links as objects),
 * subgraph definitions, group nodes. Only what import needs is typed; everything else passes through.
 */
import { z } from 'zod';

const id = z.union([z.number(), z.string()]);
const slot = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);
const vec2 = z.union([z.tuple([z.number(), z.number()]).rest(z.unknown()), z.object({ 0: z.number(), 1: z.number() }).passthrough()]);
const dataType = z
  .union([z.string(), z.array(z.string()), z.number()])
  .transform((t) => (typeof t === 'string' ? t : Array.isArray(t) ? 'COMBO' : '*'));

export const uiLinkTuple = z.tuple([z.number(), id, slot, id, slot]).rest(z.unknown());
export const uiLinkObject = z
  .object({ id: z.number(), origin_id: id, origin_slot: slot, target_id: id, target_slot: slot, type: dataType.optional() })
  .passthrough();

const uiInput = z
  .object({
    name: z.string(),
    type: dataType.optional(),
    link: z.number().nullable().optional(),
    widget: z.object({ name: z.string() }).passthrough().optional(),
    label: z.string().optional(),
  })
  .passthrough();
const uiOutput = z
  .object({ name: z.string(), type: dataType.optional(), widget: z.object({ name: z.string() }).passthrough().optional() })
  .passthrough();

export const uiNode = z
  .object({
    id,
    type: z.string(),
    pos: vec2.optional(),
    size: vec2.optional(),
    flags: z.object({ collapsed: z.boolean().optional(), pinned: z.boolean().optional() }).passthrough().optional(),
    mode: z.number().optional(),
    title: z.string().optional(),
    color: z.string().optional(),
    bgcolor: z.string().optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
    widgets_values: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
    inputs: z.array(uiInput).optional(),
    outputs: z.array(uiOutput).optional(),
  })
  .passthrough();
export type UiNode = z.infer<typeof uiNode>;

export const uiGroup = z
  .object({
    title: z.string().optional(),
    bounding: z.tuple([z.number(), z.number(), z.number(), z.number()]),
    color: z.string().optional(),
    font_size: z.number().optional(),
  })
  .passthrough();

const subgraphIO = z.object({ name: z.string(), type: dataType.optional(), linkIds: z.array(z.number()).optional() }).passthrough();

export const subgraphDefinition = z
  .object({
    id: z.string(),
    name: z.string().optional(),
    nodes: z.array(uiNode).default([]),
    links: z.array(z.union([uiLinkTuple, uiLinkObject])).default([]),
    inputs: z.array(subgraphIO).default([]),
    outputs: z.array(subgraphIO).default([]),
    widgets: z.array(z.object({ id: id, name: z.string() }).passthrough()).optional(),
  })
  .passthrough();
export type SubgraphDefinition = z.infer<typeof subgraphDefinition>;

/** Legacy group nodes: extra.groupNodes[name], instances typed `workflow>name` (or `workflow/name`). */
export const groupNodeData = z
  .object({
    nodes: z.array(uiNode.extend({ id: id.optional(), index: z.number().optional() })),
    links: z.array(z.array(z.unknown())).default([]),
    external: z.array(z.tuple([z.number(), z.number()]).rest(z.unknown())).default([]),
  })
  .passthrough();
export type GroupNodeData = z.infer<typeof groupNodeData>;

export const uiWorkflow = z
  .object({
    nodes: z.array(uiNode),
    links: z
      .array(z.union([uiLinkTuple, uiLinkObject]))
      .nullish()
      .transform((l) => l ?? []),
    groups: z.array(uiGroup).optional(),
    extra: z
      .object({ groupNodes: z.record(z.string(), groupNodeData).optional() })
      .passthrough()
      .nullish(),
    definitions: z
      .object({ subgraphs: z.array(subgraphDefinition).default([]) })
      .passthrough()
      .optional(),
  })
  .passthrough();
export type UiWorkflow = z.infer<typeof uiWorkflow>;

export interface NormalLink {
  origin: string;
  originSlot: number;
  target: string;
  targetSlot: number;
  type: string;
}

/** Links of either schema as objects keyed by link id. */
export function normalLinks(links: readonly (z.infer<typeof uiLinkTuple> | z.infer<typeof uiLinkObject>)[]): Map<number, NormalLink> {
  const out = new Map<number, NormalLink>();
  for (const l of links) {
    if (Array.isArray(l)) {
      const type = typeof l[5] === 'string' ? l[5] : '*';
      out.set(l[0], { origin: String(l[1]), originSlot: Number(l[2]), target: String(l[3]), targetSlot: Number(l[4]), type });
    } else {
      out.set(l.id, {
        origin: String(l.origin_id),
        originSlot: Number(l.origin_slot),
        target: String(l.target_id),
        targetSlot: Number(l.target_slot),
        type: l.type ?? '*',
      });
    }
  }
  return out;
}

export const xy = (v: z.infer<typeof vec2> | undefined): [number, number] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? [Number(v[0]), Number(v[1])] : [Number(v[0]), Number(v[1])];
