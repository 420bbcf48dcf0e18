import { describe, expect, it } from 'vitest';
import { runEnded, runStarted, whenIdle } from '../../../server/runtime/onnx/activity';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('background work waits for a quiet spell', () => {
  it('whenIdle resolves only once no run has been in flight for the quiet period', async () => {
    runStarted();
    let done = false;
    const p = whenIdle(80).then(() => (done = true));
    await sleep(150);
    expect(done).toBe(false); // a run is in flight
    const ended = performance.now();
    runEnded();
    await p;
    expect(performance.now() - ended).toBeGreaterThanOrEqual(75);
  });

  it('with no runs for long enough it resolves at once', async () => {
    await sleep(30);
    const t0 = performance.now();
    await whenIdle(20);
    expect(performance.now() - t0).toBeLessThan(15);
  });
});
