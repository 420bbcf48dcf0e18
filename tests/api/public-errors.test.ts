import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { internalErrorMessage, isStackOverflow, scrubPaths } from '@/server/api/public-errors';

const paths = {
  models: '/data/loom/models',
  input: '/data/loom/input',
  output: '/srv/out',
  workflows: '/data/loom/workflows',
  state: '/data/loom/.loom/state',
};

describe('scrubPaths', () => {
  it('names the user folders instead of their absolute paths', () => {
    expect(scrubPaths('/data/loom/models/checkpoints/x.ckpt: pickle: bad (at byte 3)', paths)).toBe(
      'models/checkpoints/x.ckpt: pickle: bad (at byte 3)',
    );
    expect(scrubPaths("ENOENT: no such file or directory, open '/data/loom/input/a.png'", paths)).toBe(
      "ENOENT: no such file or directory, open 'input/a.png'",
    );
    expect(scrubPaths('wrote /srv/out', paths)).toBe('wrote output');
  });
  it('shortens any other absolute path to its last segment, leaving URLs and relative names alone', () => {
    expect(scrubPaths('cannot read /etc/shadow (EACCES)')).toBe('cannot read …/shadow (EACCES)');
    expect(scrubPaths(`under ${os.tmpdir()}/loom-x/y.png`)).toBe('under <tmp>/loom-x/y.png');
    expect(scrubPaths('C:\\Users\\me\\models\\a.safetensors is locked')).toBe('…\\a.safetensors is locked');
    expect(scrubPaths('see http://127.0.0.1:3000/outputs/a.png and models/vae/x.pt')).toBe(
      'see http://127.0.0.1:3000/outputs/a.png and models/vae/x.pt',
    );
  });
});

describe('internalErrorMessage', () => {
  it('logs the detail with a reference and answers one line naming it', () => {
    const lines: string[] = [];
    const msg = internalErrorMessage(new TypeError('x is undefined at /srv/app/a.ts'), 'tRPC jobs.get', (l) => lines.push(l));
    const ref = /ref ([0-9a-f]{8})/.exec(msg)?.[1];
    expect(msg).toBe(`Internal error (ref ${ref}; details are in the server log).`);
    expect(lines[0]).toMatch(new RegExp(`^\\[${ref}\\] tRPC jobs\\.get: TypeError: x is undefined at /srv/app/a\\.ts`));
  });
  it('words a stack overflow as input nested too deeply', () => {
    const overflow = (() => {
      const f = (n: number): number => f(n + 1) + 1;
      try {
        f(0);
      } catch (e) {
        return e;
      }
    })();
    expect(isStackOverflow(overflow)).toBe(true);
    expect(internalErrorMessage(overflow, 'x', () => undefined)).toMatch(/^The request is nested too deeply to process \(ref [0-9a-f]{8}\)\.$/);
  });
});
