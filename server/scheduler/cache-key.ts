/** Cache key of a node: its type, schema version, parameter values and the keys of what feeds it. */
import crypto from 'node:crypto';
import type { NodeSchema, ParamValue } from '../../nodes/types';
import { parseSeed } from './params';

export function nodeCacheKey(
  schema: NodeSchema,
  params: Readonly<Record<string, ParamValue>>,
  inputKeys: Readonly<Record<string, string>>,
): string {
  // seeds 7 and "7" are the same seed
  const canonParams = schema.params.map((p) => {
    const v = params[p.name];
    return [p.name, p.kind === 'seed' ? String(parseSeed(v) ?? v) : v];
  });
  const canonInputs = Object.keys(inputKeys).sort().map((k) => [k, inputKeys[k]]);
  const text = JSON.stringify([schema.id, schema.version, canonParams, canonInputs]);
  return crypto.createHash('sha256').update(text).digest('hex');
}
