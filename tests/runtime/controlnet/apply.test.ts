/** ControlNetApply(Advanced) on CONDITIONING entries and the negative's share of ControlNetApply (ComfyUI nodes.py, samplers.py). */
import { describe, expect, it } from 'vitest';
import { controlNetApply, controlNetApplyAdvanced, controlToUncond, isAppliedControlNet } from '../../../server/runtime/controlnet/apply';
import type { CondEntry, Conditioning, ControlNetHandle } from '../../../server/runtime/handles';

const net = { kind: 'control_net', hintChannels: 3, name: 'cn.safetensors', key: 'cn' } as unknown as ControlNetHandle;
const hint = { shape: [1, 16, 16, 3], data: new Float32Array(16 * 16 * 3) };
const entry = (extra: Partial<CondEntry> = {}): CondEntry => ({ family: 'sd1', cross: { shape: [1, 2, 4], data: new Float32Array(8) }, ...extra });
const cond = (...entries: CondEntry[]): Conditioning => ({ kind: 'conditioning', entries });
const opts = { strength: 0.7, startPercent: 0.2, endPercent: 0.8, origin: 'ControlNetApplyAdvanced #12' };

describe('ControlNetApplyAdvanced', () => {
  it('gives positive and negative one shared copy per previous ControlNet, chained to it', () => {
    const [p1, n1] = controlNetApplyAdvanced(cond(entry(), entry()), cond(entry()), net, hint, opts);
    const first = p1.entries[0].control;
    expect(isAppliedControlNet(first)).toBe(true);
    expect(p1.entries[1].control).toBe(first);
    expect(n1.entries[0].control).toBe(first);
    expect(p1.entries[0].controlApplyToUncond).toBe(false);
    const [p2, n2] = controlNetApplyAdvanced(p1, n1, net, hint, { ...opts, strength: 0.5 });
    const second = p2.entries[0].control;
    expect(second).not.toBe(first);
    expect(n2.entries[0].control).toBe(second);
    expect(isAppliedControlNet(second) && second.previous).toBe(first);
    expect(isAppliedControlNet(second) && [second.strength, second.startPercent, second.endPercent]).toEqual([0.5, 0.2, 0.8]);
  });

  it('at strength 0 returns its inputs unchanged; a hint of the wrong channel count is refused by name', () => {
    const p = cond(entry());
    const n = cond(entry());
    const [p0, n0] = controlNetApplyAdvanced(p, n, net, hint, { ...opts, strength: 0 });
    expect(p0).toBe(p);
    expect(n0).toBe(n);
    expect(controlNetApply(p, net, hint, 0, 'x')).toBe(p);
    const gray = { shape: [1, 16, 16, 1], data: new Float32Array(256) };
    expect(() => controlNetApplyAdvanced(p, n, net, gray, opts)).toThrow(
      /ControlNetApplyAdvanced #12: input "image" has 1 channels, the ControlNet cn\.safetensors takes 3/,
    );
  });
});

describe('ControlNetApply and the negative', () => {
  it('hands the positive ControlNet to the full-frame negative entries (control_apply_to_uncond)', () => {
    const positive = controlNetApply(cond(entry()), net, hint, 0.9, 'ControlNetApply #12').entries;
    const area = entry({ area: { unit: 'latent', height: 2, width: 2, y: 0, x: 0 } });
    const negative = controlToUncond(positive, [area, entry()]);
    expect(negative[0]).toBe(area);
    expect(negative[1].control).toBe(positive[0].control);
  });

  it('leaves the negative alone when it already has a ControlNet, or when the positive came from the Advanced node', () => {
    const positive = controlNetApply(cond(entry()), net, hint, 0.9, 'ControlNetApply #12').entries;
    const own = entry({ control: { kind: 'control_net_applied' } });
    expect(controlToUncond(positive, [own, entry()])[1].control).toBeUndefined();
    const [adv] = controlNetApplyAdvanced(cond(entry()), cond(entry()), net, hint, opts);
    expect(controlToUncond(adv.entries, [entry()])[0].control).toBeUndefined();
  });
});
