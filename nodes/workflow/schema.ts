/**
 * The workflow file format (zod), client-safe: the canvas loads and saves these.
 * v2: node types, input, widget and output names are ComfyUI's (a ComfyUI API prompt maps 1:1); nodes carry a
 * mode (muted/bypassed), links may drive widgets, and unknown classes are kept as placeholders.
 */
import { z } from 'zod';

export const WORKFLOW_FORMAT = 'latentloom.workflow';
export const WORKFLOW_VERSION = 2;

/** `output` names an output of the source node (its ComfyUI output_name; for a placeholder, its slot index). */
export const linkSchema = z.object({ node: z.string().min(1), output: z.string().min(1) }).strict();
export const paramValueSchema = z.union([z.number(), z.string(), z.boolean()]);

/** ComfyUI node modes: 0 always, 2 never (muted), 4 bypass. */
export const NODE_MODES = ['always', 'muted', 'bypassed'] as const;
export type NodeMode = (typeof NODE_MODES)[number];

const slotSchema = z.object({ name: z.string(), type: z.string() });

/** What an imported node of a class this build does not know keeps, so the file round-trips and shows it. */
export const placeholderSchema = z.object({
  /** sockets (and widgets converted to sockets) in their slot order */
  inputs: z.array(slotSchema.extend({ widget: z.boolean().optional() })).default([]),
  outputs: z.array(slotSchema).default([]),
  /** the widget values exactly as the file had them (an array in UI files, named in API prompts) */
  widgets_values: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).default([]),
});
export type Placeholder = z.infer<typeof placeholderSchema>;

export const workflowNodeSchema = z.object({
  type: z.string().min(1),
  /** the node schema version this node was saved with */
  version: z.number().int().nonnegative().default(1),
  params: z.record(z.string(), paramValueSchema).default({}),
  /** socket links, and links driving widgets (keyed by the widget's name) */
  inputs: z.record(z.string(), linkSchema).default({}),
  mode: z.enum(NODE_MODES).optional(),
  /** a user title shown instead of the schema's */
  title: z.string().max(500).optional(),
  /** present when `type` is a class this build does not know */
  placeholder: placeholderSchema.optional(),
  /** sha256 of model files named by params, keyed by param name: a renamed file is found by hash */
  models: z.record(z.string(), z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) })).optional(),
  /** layout and editor state (position, size, colours, collapsed, seed controls ...): never affects a run */
  ui: z.object({ x: z.number(), y: z.number() }).catchall(z.unknown()).optional(),
});

export const groupSchema = z.object({
  title: z.string().max(500).default('Group'),
  /** x, y, width, height */
  bounding: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  color: z.string().max(64).optional(),
  font_size: z.number().optional(),
});

export const workflowSchema = z.object({
  format: z.literal(WORKFLOW_FORMAT),
  version: z.literal(WORKFLOW_VERSION),
  nodes: z.record(z.string().min(1), workflowNodeSchema),
  groups: z.array(groupSchema).optional(),
  meta: z.object({ title: z.string().optional(), created: z.string().optional() }).catchall(z.unknown()).optional(),
});

export type WorkflowLink = z.infer<typeof linkSchema>;
export type WorkflowNode = z.infer<typeof workflowNodeSchema>;
export type WorkflowGroup = z.infer<typeof groupSchema>;
export type Workflow = z.infer<typeof workflowSchema>;
export type WorkflowInput = z.input<typeof workflowSchema>;
