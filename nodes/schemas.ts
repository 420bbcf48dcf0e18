/** Client-safe index of every node schema. No server imports here: the Next.js UI bundles this file. */
import type { NodeSchema } from './types';
import { schema as LoadCheckpoint } from './LoadCheckpoint/schema';
import { schema as ModelSamplingDiscrete } from './ModelSamplingDiscrete/schema';
import { schema as LoadVAE } from './LoadVAE/schema';
import { schema as LoadLora } from './LoadLora/schema';
import { schema as CLIPSetLastLayer } from './CLIPSetLastLayer/schema';
import { schema as MergeCheckpoints } from './MergeCheckpoints/schema';
import { schema as TextEncode } from './TextEncode/schema';
import { schema as CLIPTextEncodeSDXL } from './CLIPTextEncodeSDXL/schema';
import { schema as EmptyLatent } from './EmptyLatent/schema';
import { schema as LoadImage } from './LoadImage/schema';
import { schema as VAEEncode } from './VAEEncode/schema';
import { schema as KSampler } from './KSampler/schema';
import { schema as KSamplerAdvanced } from './KSamplerAdvanced/schema';
import { schema as VAEDecode } from './VAEDecode/schema';
import { schema as SaveImage } from './SaveImage/schema';
import { schema as PreviewImage } from './PreviewImage/schema';
import { schema as SaveCheckpoint } from './SaveCheckpoint/schema';
import { schema as LoadLatent } from './LoadLatent/schema';
import { schema as SaveLatent } from './SaveLatent/schema';

export * from './types';

export const NODE_SCHEMAS: readonly NodeSchema[] = [
  LoadCheckpoint, ModelSamplingDiscrete, LoadVAE, LoadLora, CLIPSetLastLayer, MergeCheckpoints,
  TextEncode, CLIPTextEncodeSDXL, EmptyLatent, LoadImage, VAEEncode, KSampler, KSamplerAdvanced, VAEDecode,
  SaveImage, PreviewImage, SaveCheckpoint, LoadLatent, SaveLatent,
];

export type SchemaMap = Readonly<Record<string, NodeSchema>>;

export const SCHEMAS_BY_ID: SchemaMap = Object.freeze(Object.fromEntries(NODE_SCHEMAS.map((s) => [s.id, s])));

export function getSchema(id: string, schemas: SchemaMap = SCHEMAS_BY_ID): NodeSchema | undefined {
  return Object.prototype.hasOwnProperty.call(schemas, id) ? schemas[id] : undefined;
}

/** Default parameter values for a new node of this type. */
export function defaultParams(schema: NodeSchema): Record<string, number | string | boolean> {
  return Object.fromEntries(schema.params.map((p) => [p.name, p.default]));
}
