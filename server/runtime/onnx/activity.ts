/**
 * How busy onnxruntime is with users' work: session runs in flight in this process. Background work (saving an
 * optimised model) waits for a quiet spell so it does not slow the job that just started sampling.
 */
let running = 0;
let lastEnd = 0;
let wake: (() => void) | undefined;

export function runStarted(): void {
  running++;
}

export function runEnded(): void {
  running--;
  lastEnd = performance.now();
  wake?.();
}

/** Resolves once no run has been in flight for `quietMs` (at once when quietMs is 0). */
export async function whenIdle(quietMs: number): Promise<void> {
  for (;;) {
    if (quietMs <= 0) return;
    const quietFor = performance.now() - lastEnd;
    if (running === 0 && quietFor >= quietMs) return;
    await new Promise<void>((resolve) => {
      // held (not unref'd): a CLI run that made the image still finishes the save before it exits
      const timer = setTimeout(resolve, running === 0 ? quietMs - quietFor : quietMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wake = undefined;
  }
}
