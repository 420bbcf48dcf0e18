/**
 * v1 → v2: our early node names become ComfyUI's class ids, with ComfyUI's widget, input and output names.
 * Lossless: every v1 graph runs the same computation after migration (tests/nodes/migrate.test.ts).
 * - LoadCheckpoint's `prediction` override becomes a ModelSamplingDiscrete node after it, as in ComfyUI.
 * - MergeCheckpoints (one node, five modes) becomes the ComfyUI merge nodes that compute the same thing.
 */
type Json = Record<string, unknown>;
interface Link {
  node: string;
  output: string;
}
interface V1Node {
  type: string;
  version?: number;
  params: Record<string, unknown>;
  inputs: Record<string, Link>;
  ui?: Json & { x: number; y: number };
  models?: Json;
}

interface Rename {
  type: string;
  params?: Readonly<Record<string, string>>;
}

/** v1 type → v2 type and widget renames; v1 output names are the v2 ones in lower case. */
const RENAMES: Readonly<Record<string, Rename>> = {
  LoadCheckpoint: { type: 'CheckpointLoaderSimple', params: { file: 'ckpt_name' } },
  LoadVAE: { type: 'VAELoader', params: { file: 'vae_name' } },
  LoadLora: { type: 'LoraLoader', params: { file: 'lora_name' } },
  TextEncode: { type: 'CLIPTextEncode' },
  EmptyLatent: { type: 'EmptyLatentImage' },
  SaveCheckpoint: { type: 'CheckpointSave' },
};
const ENABLE_FLAGS: Readonly<Record<string, readonly string[]>> = {
  KSamplerAdvanced: ['add_noise', 'return_with_leftover_noise'],
};
const upper = (output: string) => output.toUpperCase();

export function v1ToV2(doc: Json): Json {
  const src = (doc.nodes ?? {}) as Record<string, V1Node>;
  const out: Record<string, V1Node> = {};
  /** (v1 node, v1 output) → the v2 link that now carries it */
  const rewire = new Map<string, Link>();
  const at = (n: V1Node, dx: number, dy: number) => (n.ui ? { ui: { ...n.ui, x: n.ui.x + dx, y: n.ui.y + dy } } : {});

  for (const [id, n] of Object.entries(src)) {
    const params = { ...(n.params ?? {}) };
    const inputs = { ...(n.inputs ?? {}) };
    if (n.type === 'MergeCheckpoints') {
      expandMerge(id, n, out, rewire, at);
      continue;
    }
    const rename = RENAMES[n.type];
    for (const [from, to] of Object.entries(rename?.params ?? {})) {
      if (from in params) {
        params[to] = params[from];
        delete params[from];
      }
    }
    for (const flag of ENABLE_FLAGS[n.type] ?? []) {
      if (typeof params[flag] === 'boolean') params[flag] = params[flag] ? 'enable' : 'disable';
    }
    const models = n.models && rename?.params ? renameKeys(n.models, rename.params) : n.models;
    let prediction: unknown;
    if (n.type === 'LoadCheckpoint') {
      prediction = params.prediction;
      delete params.prediction;
    }
    out[id] = { ...n, type: rename?.type ?? n.type, version: 1, params, inputs, ...(models ? { models } : {}) };
    if (n.type === 'LoadCheckpoint' && (prediction === 'eps' || prediction === 'v_prediction')) {
      const msId = freshId(`${id}_sampling`, src, out);
      out[msId] = {
        type: 'ModelSamplingDiscrete',
        version: 1,
        params: { sampling: prediction, zsnr: false },
        inputs: { model: { node: id, output: 'MODEL' } },
        ...at(n, 0, -140),
      };
      rewire.set(`${id}\u0000model`, { node: msId, output: 'MODEL' });
    }
  }
  for (const n of Object.values(out)) {
    for (const [name, link] of Object.entries(n.inputs)) {
      n.inputs[name] = rewire.get(`${link.node}\u0000${link.output}`) ?? (src[link.node] ? { node: link.node, output: upper(link.output) } : link);
    }
  }
  return { ...doc, version: 2, nodes: out };
}

function renameKeys(o: Json, names: Readonly<Record<string, string>>): Json {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [names[k] ?? k, v]));
}

function freshId(base: string, ...taken: Record<string, unknown>[]): string {
  let id = base;
  for (let i = 2; taken.some((t) => id in t); i++) id = `${base}${i}`;
  return id;
}

/**
 * MergeCheckpoints(mode, ratios) as ComfyUI nodes (ModelMergeSimple: m1·r + m2·(1−r); Subtract: (m1 − m2)·m):
 *   weighted_sum  Simple(a, b, r)                      add  Add(a, b)          blocks  Blocks(a, b, in, mid, out)
 *   subtract      a − r·b     = Simple(a, Subtract(a, b, 1), 1 − r)   (Subtract(a, b, 1) alone when r = 1)
 *   add_difference a + r(b−c) = Simple(Add(a, Subtract(b, c, 1)), a, r)  (Add(...) alone when r = 1)
 * CLIP pairs likewise with the CLIP nodes (blocks: a weighted sum at clip_ratio).
 */
function expandMerge(
  id: string,
  n: V1Node,
  out: Record<string, V1Node>,
  rewire: Map<string, Link>,
  at: (n: V1Node, dx: number, dy: number) => object,
): void {
  const mode = String(n.params.mode ?? 'weighted_sum');
  const num = (k: string, d: number) => (typeof n.params[k] === 'number' ? (n.params[k] as number) : d);
  const parts = [
    {
      kind: 'MODEL',
      prefix: 'model',
      names: ['ModelMergeSimple', 'ModelMergeSubtract', 'ModelMergeAdd'],
      a: 'model1',
      b: 'model2',
      ratio: num('model_ratio', 1),
    },
    {
      kind: 'CLIP',
      prefix: 'clip',
      names: ['CLIPMergeSimple', 'CLIPMergeSubtract', 'CLIPMergeAdd'],
      a: 'clip1',
      b: 'clip2',
      ratio: num('clip_ratio', 1),
    },
  ] as const;
  let first = true;
  let row = 0;
  for (const p of parts) {
    const [a, b, c] = ['a', 'b', 'c'].map((s) => n.inputs[`${p.prefix}_${s}`]);
    if (!a || !b) continue;
    const taken = (x: string) => x in out;
    const mk = (suffix: string) => {
      let nid = first && suffix === '' ? id : `${id}_${p.prefix}${suffix}`;
      for (let i = 2; taken(nid); i++) nid = `${id}_${p.prefix}${suffix}${i}`;
      return nid;
    };
    const [simple, subtract, add] = p.names;
    const place = (type: string, params: Record<string, unknown>, inputs: Record<string, Link>, suffix: string): Link => {
      const nid = mk(suffix);
      out[nid] = { type, version: 1, params, inputs, ...at(n, 0, 160 * row++) };
      return { node: nid, output: p.kind };
    };
    const pair = (x: Link, y: Link) => ({ [p.a]: x, [p.b]: y });
    let result: Link;
    if (mode === 'blocks' && p.kind === 'MODEL') {
      result = place('ModelMergeBlocks', { input: num('input_ratio', 1), middle: num('middle_ratio', 1), out: num('out_ratio', 1) }, pair(a, b), '');
    } else if (mode === 'add') result = place(add, {}, pair(a, b), '');
    else if (mode === 'subtract') {
      if (p.ratio === 1) result = place(subtract, { multiplier: 1 }, pair(a, b), '');
      else {
        const diff = place(subtract, { multiplier: 1 }, pair(a, b), '_diff');
        result = place(simple, { ratio: 1 - p.ratio }, pair(a, diff), '');
      }
    } else if (mode === 'add_difference' && c) {
      const diff = place(subtract, { multiplier: 1 }, pair(b, c), '_diff');
      if (p.ratio === 1) result = place(add, {}, pair(a, diff), '');
      else {
        const sum = place(add, {}, pair(a, diff), '_sum');
        result = place(simple, { ratio: p.ratio }, pair(sum, a), '');
      }
    } else result = place(simple, { ratio: p.ratio }, pair(a, b), '');
    rewire.set(`${id}\u0000${p.prefix}`, result);
    first = false;
  }
}
