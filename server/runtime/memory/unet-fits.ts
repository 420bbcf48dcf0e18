/** Refuses a sampling run whose UNet calls would not fit the memory budget, before the first step. */
import type { UNetRunner } from '../models';
import { resolveDevice } from '../onnx/session';
import { gib, MEMORY_ENV, MemoryLimitError, memoryBudget } from './budget';
import { unetWorkingBytes } from './estimate';

/** ControlNets / T2I-Adapters a run applies (controlnet/memory.ts): their weights, and their residuals per row. */
export interface ExtraModelMemory {
  readonly count: number;
  readonly weightBytes: number;
  readonly bytesPerRow: number;
}

const extraBytes = (e: ExtraModelMemory | undefined, rows: number) => (e && e.count > 0 ? e.weightBytes + e.bytesPerRow * rows : 0);

/** `rows`: latents per UNet call (a CFG step runs cond and uncond together: 2 × batch) */
export async function checkUnetFits(unet: UNetRunner, latentShape: readonly number[], rows: number, control?: ExtraModelMemory): Promise<void> {
  const [, , h, w] = latentShape;
  const extra = extraBytes(control, rows);
  const need = unetWorkingBytes(unet.config, h, w, rows, unet.attention) + extra;
  const budget = memoryBudget(await resolveDevice());
  if (need <= budget) return;
  const batch = latentShape[0];
  const of = extra > 0 && control ? ` (${gib(extra)} of it for ${control.count} ControlNet/T2I-Adapter model${control.count > 1 ? 's' : ''})` : '';
  throw new MemoryLimitError(
    `sampling a ${w * 8}x${h * 8} image${batch > 1 ? ` batch of ${batch}` : ''} needs about ${gib(need)} of working memory${of} and ${gib(budget)} is available ` +
      `(free memory, or ${MEMORY_ENV}); use a smaller size or batch (or sample small and upscale), or raise ${MEMORY_ENV}`,
  );
}

/** Whether one UNet call on `rows` latents of h×w fits the budget (the sampler batches conditionings by it). */
export async function unetRowsFit(unet: UNetRunner, control?: ExtraModelMemory): Promise<(rows: number, h: number, w: number) => boolean> {
  const budget = memoryBudget(await resolveDevice());
  return (rows, h, w) => unetWorkingBytes(unet.config, h, w, rows, unet.attention) + extraBytes(control, rows) <= budget;
}
