/** The workflow file format (zod) — client-safe: the canvas loads and saves these. */
import { z } from 'zod';

export const WORKFLOW_FORMAT = 'latentloom.workflow';
export const WORKFLOW_VERSION = 1;

export const linkSchema = z.object({ node: z.string().min(1), output: z.string().min(1) }).strict();
export const paramValueSchema = z.union([z.number(), z.string(), z.boolean()]);

export const workflowNodeSchema = z.object({
  type: z.string().min(1),
  /** the node schema version this node was saved with */
  version: z.number().int().nonnegative().default(1),
  params: z.record(z.string(), paramValueSchema).default({}),
  inputs: z.record(z.string(), linkSchema).default({}),
  /** sha256 of model files named by params, keyed by param name: a renamed file is found by hash */
  models: z.record(z.string(), z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) })).optional(),
  ui: z.object({ x: z.number(), y: z.number() }).catchall(z.unknown()).optional(),
});

export const workflowSchema = z.object({
  format: z.literal(WORKFLOW_FORMAT),
  version: z.literal(WORKFLOW_VERSION),
  nodes: z.record(z.string().min(1), workflowNodeSchema),
  meta: z.object({ title: z.string().optional(), created: z.string().optional() }).catchall(z.unknown()).optional(),
});

export type WorkflowLink = z.infer<typeof linkSchema>;
export type WorkflowNode = z.infer<typeof workflowNodeSchema>;
export type Workflow = z.infer<typeof workflowSchema>;
export type WorkflowInput = z.input<typeof workflowSchema>;
