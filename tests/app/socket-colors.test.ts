/** Every socket type has its own colour, so a SIGMAS, SAMPLER, NOISE or GUIDER wire never looks like another. */
import { describe, expect, it } from 'vitest';
import { SOCKET_COLORS } from '@/app/lib/socketColors';
import { SOCKET_TYPES } from '@/nodes/types';

describe('socket colours', () => {
  it('each socket type has a distinct, valid colour', () => {
    expect(Object.keys(SOCKET_COLORS).sort()).toEqual([...SOCKET_TYPES].sort());
    for (const t of SOCKET_TYPES) expect(SOCKET_COLORS[t], t).toMatch(/^#[0-9a-f]{6}$/i);
    const byColour = new Map<string, string[]>();
    for (const t of SOCKET_TYPES) {
      const c = SOCKET_COLORS[t].toLowerCase();
      byColour.set(c, [...(byColour.get(c) ?? []), t]);
    }
    expect([...byColour.values()].filter((ts) => ts.length > 1)).toEqual([]);
  });

  it('the custom-sampling sockets use the colours of the ComfyUI default (dark) palette', () => {
    expect(SOCKET_COLORS.SIGMAS).toBe('#cdffcd');
    expect(SOCKET_COLORS.SAMPLER).toBe('#ecb4b4');
    expect(SOCKET_COLORS.NOISE).toBe('#b0b0b0');
    expect(SOCKET_COLORS.GUIDER).toBe('#66ffff');
  });
});
