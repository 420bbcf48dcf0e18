/**
 * Turns a node's stored widget values and linked input values into the typed arguments its implementation expects
 * (server side): seeds as bigint, files resolved, every socket value checked. Problems become NodeInputError naming
 * the node, the input and what was expected.
 */
import fs from 'node:fs/promises';
import type { LoomPaths } from '../server/config/paths';
import { resolveModelFile } from '../server/config/model-resolve';
import { resolveFileInside } from '../server/config/real-path';
import { parseSeed } from './params';
import { describeValue, socketValueOk } from './sockets';
import type { FileRef, NodeOutputs } from './node';
import type { NodeSchema, ParamSpec, ParamValue } from './types';

export class NodeInputError extends Error {
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(message);
    this.name = 'NodeInputError';
  }
}

/**
 * The file a model or input-file widget names; null for an optional model left empty. Model folders follow links
 * (models often live on other disks) but list regular files only; input files must really be inside input/.
 */
export async function resolveFileParam(spec: ParamSpec, value: ParamValue, paths: LoomPaths): Promise<FileRef | null> {
  if (spec.kind === 'model') {
    if (value === '' && spec.optional) return null;
    const r = resolveModelFile(paths, spec.folder, String(value));
    if (!r.ok) throw new NodeInputError(spec.name, `${spec.name}: ${r.message.replace(/\.$/, '')}.`);
    return { name: r.name, path: r.path };
  }
  const name = String(value);
  if (!name) throw new NodeInputError(spec.name, `${spec.name}: no input file chosen.`);
  const r = await resolveFileInside(paths.input, name);
  if (r.status === 'file') return { name, path: r.real };
  const why = { outside: 'is outside the input folder', missing: 'is not in the input folder', 'not-a-file': 'is not a regular file' }[r.status];
  throw new NodeInputError(spec.name, `${spec.name}: "${name}" ${why}.`);
}

const isFileParam = (p: ParamSpec) => p.kind === 'model' || p.kind === 'image';

/** size + mtime + inode of every file the widgets name (ComfyUI's IS_CHANGED for loaders): a replaced file re-runs. */
export async function fileFingerprints(
  schema: NodeSchema,
  params: Readonly<Record<string, ParamValue>>,
  paths: LoomPaths,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const spec of schema.params) {
    if (!isFileParam(spec)) continue;
    let ref: FileRef | null;
    try {
      ref = await resolveFileParam(spec, params[spec.name], paths);
    } catch {
      out[spec.name] = 'unresolved';
      continue;
    }
    if (!ref) continue;
    const st = await fs.stat(ref.path).catch(() => null);
    out[spec.name] = st ? `${st.size}:${st.mtimeMs}:${st.ino}` : 'missing';
  }
  return out;
}

/** Widget values as the implementation types them. */
export async function typedParams(
  schema: NodeSchema,
  params: Readonly<Record<string, ParamValue>>,
  paths: LoomPaths,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const spec of schema.params) {
    const v = params[spec.name];
    if (spec.kind === 'seed') {
      const s = parseSeed(v);
      if (s === null) throw new NodeInputError(spec.name, `${spec.name}: ${JSON.stringify(v)} is not a seed in 0…2^64−1.`);
      out[spec.name] = s;
    } else if (isFileParam(spec)) out[spec.name] = await resolveFileParam(spec, v, paths);
    else out[spec.name] = v;
  }
  return out;
}

/** Checks every linked socket value against its declared type; missing optional inputs stay undefined. */
export function checkedInputs(schema: NodeSchema, inputs: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of schema.inputs) {
    const v = inputs[spec.name];
    if (v === undefined) {
      if (!spec.optional) throw new NodeInputError(spec.name, `input "${spec.name}" (${spec.type}) got no value: is its source node muted?`);
      continue;
    }
    if (!socketValueOk(spec.type, v)) throw new NodeInputError(spec.name, `input "${spec.name}" expects ${spec.type} but got ${describeValue(v)}.`);
    out[spec.name] = v;
  }
  return out;
}

/** Every declared output present and of its type. */
export function checkOutputs(schema: NodeSchema, outputs: NodeOutputs): void {
  for (const o of schema.outputs) {
    if (!(o.name in outputs)) throw new Error(`did not produce output "${o.name}"`);
    if (!socketValueOk(o.type, outputs[o.name])) throw new Error(`output "${o.name}" should be ${o.type} but is ${describeValue(outputs[o.name])}`);
  }
}
