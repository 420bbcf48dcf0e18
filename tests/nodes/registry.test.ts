import { describe, expect, it } from 'vitest';
import { NODE_SCHEMAS, PARAM_KINDS, SOCKET_TYPES } from '../../nodes/schemas';
import { RUNNERS } from '../../nodes/runners';
import { SAMPLER_NAMES, SCHEDULER_NAMES } from '../../nodes/sampling-options';

describe('node registry', () => {
  it('every schema has a runner entry and every runner a schema', () => {
    expect(Object.keys(RUNNERS).sort()).toEqual(NODE_SCHEMAS.map((s) => s.id).sort());
  });

  it('each entry is a runner or says what it still needs; non-ML nodes are done', () => {
    for (const [id, entry] of Object.entries(RUNNERS)) {
      if (entry.implemented) expect(typeof entry.run, id).toBe('function');
      else expect(entry.reason, id).toMatch(/\S/);
    }
    for (const id of ['EmptyLatent', 'SaveImage', 'PreviewImage', 'LoadImage', 'SaveLatent', 'LoadLatent']) expect(RUNNERS[id].implemented).toBe(true);
  });

  it('schemas are well formed plain data', () => {
    const ids = new Set<string>();
    for (const s of NODE_SCHEMAS) {
      expect(ids.has(s.id)).toBe(false);
      ids.add(s.id);
      expect(JSON.parse(JSON.stringify(s))).toEqual(s);
      for (const io of [...s.inputs, ...s.outputs]) expect(SOCKET_TYPES).toContain(io.type);
      for (const p of s.params) {
        expect(PARAM_KINDS).toContain(p.kind);
        if (p.kind === 'number' || p.kind === 'int') expect(p.default >= p.min && p.default <= p.max).toBe(true);
        if (p.kind === 'select') expect(p.options).toContain(p.default);
      }
      const names = [...s.inputs.map((i) => i.name), ...s.params.map((p) => p.name)];
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it('sampler and scheduler lists use ComfyUI names', () => {
    expect(SAMPLER_NAMES).toContain('dpmpp_2m_sde');
    expect(SCHEDULER_NAMES).toContain('kl_optimal');
  });
});
