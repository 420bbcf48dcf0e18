/**
 * Cache key of a node (ComfyUI's input signature): its type, schema version, widget values, the keys of what feeds
 * it, and a fingerprint of every file it reads (so replacing input/x.png under the same name re-runs LoadImage).
 */
import crypto from 'node:crypto';
import { parseSeed } from '../../nodes/params';
import type { NodeSchema, ParamValue } from '../../nodes/types';

export function nodeCacheKey(
  schema: NodeSchema,
  params: Readonly<Record<string, ParamValue>>,
  inputKeys: Readonly<Record<string, string>>,
  files: Readonly<Record<string, string>> = {},
): string {
  // seeds 7 and "7" are the same seed
  const canonParams = schema.params.map((p) => {
    const v = params[p.name];
    return [p.name, p.kind === 'seed' ? String(parseSeed(v) ?? v) : v];
  });
  const sorted = (o: Readonly<Record<string, string>>) =>
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]);
  const text = JSON.stringify([schema.id, schema.version, canonParams, sorted(inputKeys), sorted(files)]);
  return crypto.createHash('sha256').update(text).digest('hex');
}
