/**
 * /object_info built from our registry against ComfyUI's own /object_info (fixtures/object-info-reference.json: every
 * class of ours that ComfyUI has, reduced to what must agree: input sections, names, order, types, min/max and the
 * widget flags; outputs; output_node; category; display name). Descriptions and defaults are ours to word and choose.
 * The fixture was cut from /work/ref/object_info.json (ComfyUI 3cd7b32f) by keeping, per class, `input` (types, with
 * combos as "COMBO", and min, max, control_after_generate, image_upload, multiline), `input_order` without hidden,
 * `output`, `output_name`, `output_is_list`, `output_node`, `category`, `deprecated`, `display_name`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REGISTRY } from '../../nodes/registry';
import { nodeInfo, objectInfo, serializeJson, type FileLists, type InputDef } from '../../server/comfy/object-info';

interface RefClass {
  input: Record<'required' | 'optional', Record<string, [string, Record<string, unknown>]> | undefined>;
  input_order: Record<string, string[]>;
  output: string[];
  output_name: string[];
  output_is_list: boolean[];
  output_node: boolean;
  category: string;
  deprecated: boolean;
  display_name: string;
}

const ref = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'fixtures/object-info-reference.json'), 'utf8')) as {
  classes: Record<string, RefClass>;
};

const files: FileLists = {
  models: (folder) => (folder === 'checkpoints' ? ['a.safetensors', 'sub/b.ckpt'] : []),
  inputs: (exts) => ['cat.png', 'dog.jpg', 'z.latent'].filter((n) => !exts || exts.some((x) => n.endsWith(x))),
};

const FLAGS = ['control_after_generate', 'image_upload', 'multiline'] as const;

/** PrimitiveInt's int64 range, which JavaScript numbers cannot hold: ours is the safe-integer range (seeds stay exact). */
const INT64_LIMIT = 2 ** 63;

function reduce(def: InputDef): [string, Record<string, unknown>] {
  const [type, opts = {}] = def;
  const o: Record<string, unknown> = {};
  for (const k of ['min', 'max'] as const) if (k in opts) o[k] = Number(opts[k]);
  for (const f of FLAGS) if (opts[f]) o[f] = opts[f];
  return [Array.isArray(type) ? 'COMBO' : type, o];
}

describe('/object_info from our registry', () => {
  const ours = objectInfo(REGISTRY.list, files);

  it('covers every ComfyUI class we implement, and nothing frontend-only', () => {
    expect(Object.keys(ref.classes).length).toBeGreaterThan(25);
    for (const id of Object.keys(ref.classes)) expect(ours[id], id).toBeDefined();
    for (const s of REGISTRY.list) if (s.frontendOnly) expect(ours[s.id]).toBeUndefined();
  });

  it.each(Object.keys(ref.classes))('%s matches ComfyUI: inputs (sections, order, types, ranges, flags), outputs, flags, category', (id) => {
    const want = ref.classes[id];
    const got = ours[id];
    expect(got.input_order).toEqual(want.input_order);
    for (const section of ['required', 'optional'] as const) {
      const w = want.input[section];
      const g = got.input[section];
      // order is input_order's to say (the fixture's objects are key-sorted)
      expect(Object.keys(g ?? {}).sort(), `${id} ${section}`).toEqual(Object.keys(w ?? {}).sort());
      for (const [name, def] of Object.entries(g ?? {})) {
        const [type, opts] = reduce(def);
        const [wantType, wantOpts] = w?.[name] ?? ['?', {}];
        expect(type, `${id}.${name} type`).toBe(wantType);
        for (const f of FLAGS) expect(Boolean(opts[f]), `${id}.${name} ${f}`).toBe(Boolean(wantOpts[f]));
        for (const k of ['min', 'max'] as const) {
          if (!(k in wantOpts)) continue;
          const limit =
            Math.abs(Number(wantOpts[k])) === INT64_LIMIT ? Number.MAX_SAFE_INTEGER * Math.sign(Number(wantOpts[k])) : Number(wantOpts[k]);
          expect(opts[k], `${id}.${name} ${k}`).toBe(limit);
        }
      }
    }
    expect(got.output).toEqual(want.output);
    expect(got.output_name).toEqual(want.output_name);
    expect(got.output_is_list).toEqual(want.output_is_list);
    expect(got.output_node).toBe(want.output_node);
    expect(got.deprecated).toBe(want.deprecated);
    expect(got.category).toBe(want.category);
  });

  it('lists the real files in model and input combos (upload flag on LoadImage only), and types each widget', () => {
    expect(ours.CheckpointLoaderSimple.input.required.ckpt_name).toEqual([['a.safetensors', 'sub/b.ckpt'], {}]);
    expect(ours.LoadImage.input.required.image).toEqual([['cat.png', 'dog.jpg'], { image_upload: true }]);
    expect(ours.LoadLatent.input.required.latent).toEqual([['z.latent'], {}]);
    const k = nodeInfo(REGISTRY.schemas.KSampler, files);
    expect(k.input.required.steps).toEqual(['INT', { default: 20, min: 1, max: 10000, step: 1 }]);
    expect(k.input.required.cfg).toEqual(['FLOAT', { default: 8, min: 0, max: 100, step: 0.1, round: 0.01 }]);
    expect(k.input.required.seed[1]).toMatchObject({ default: 0, min: 0, control_after_generate: true });
    expect(k.input.required.sampler_name[0]).toContain('euler');
    expect(k.input.required.model).toEqual(['MODEL']);
  });

  it('writes integers past 2^53 exactly, and nothing else changes', () => {
    const text = serializeJson({ a: 18446744073709551615n, b: [1, 'x'], c: 'n:0', d: { e: 9007199254740993n } });
    expect(text).toBe('{"a":18446744073709551615,"b":[1,"x"],"c":"n:0","d":{"e":9007199254740993}}');
    expect(serializeJson({ a: 1 })).toBe('{"a":1}');
  });
});
