/** Refuses a sampling run whose UNet calls would not fit the memory budget, before the first step. */
import type { UNetRunner } from '../models';
import { resolveDevice } from '../onnx/session';
import { gib, MEMORY_ENV, MemoryLimitError, memoryBudget } from './budget';
import { unetWorkingBytes } from './estimate';

/** `rows`: latents per UNet call (a CFG step runs cond and uncond together: 2 × batch) */
export async function checkUnetFits(unet: UNetRunner, latentShape: readonly number[], rows: number): Promise<void> {
  const [, , h, w] = latentShape;
  const need = unetWorkingBytes(unet.config, h, w, rows, unet.attention);
  const budget = memoryBudget(await resolveDevice());
  if (need <= budget) return;
  const batch = latentShape[0];
  throw new MemoryLimitError(
    `sampling a ${w * 8}x${h * 8} image${batch > 1 ? ` batch of ${batch}` : ''} needs about ${gib(need)} of working memory and ${gib(budget)} is available ` +
      `(free memory, or ${MEMORY_ENV}); use a smaller size or batch (or sample small and upscale), or raise ${MEMORY_ENV}`,
  );
}

/** Whether one UNet call on `rows` latents of h×w fits the budget (the sampler batches conditionings by it). */
export async function unetRowsFit(unet: UNetRunner): Promise<(rows: number, h: number, w: number) => boolean> {
  const budget = memoryBudget(await resolveDevice());
  return (rows, h, w) => unetWorkingBytes(unet.config, h, w, rows, unet.attention) <= budget;
}
