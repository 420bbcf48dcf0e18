/** The UNet memory check counts the ControlNets / T2I-Adapters a run applies (weights not loaded yet, residuals per row). */
import { afterEach, expect, it } from 'vitest';
import { controlMemory } from '../../../server/runtime/controlnet/memory';
import type { AppliedControlNet } from '../../../server/runtime/controlnet/apply';
import type { CondEntry, ControlNetHandle } from '../../../server/runtime/handles';
import { ModelCache } from '../../../server/runtime/model-cache';
import type { UNetRunner } from '../../../server/runtime/models';
import { checkUnetFits, unetRowsFit } from '../../../server/runtime/memory/unet-fits';
import { unetWorkingBytes } from '../../../server/runtime/memory/estimate';

afterEach(() => {
  delete process.env.LOOM_MAX_JOB_MEMORY;
});

// tiny-sd1's UNet shape; only the config is read
const unet = {
  config: {
    inChannels: 4,
    modelChannels: 32,
    channelMult: [1, 2, 2],
    numResBlocks: [2, 2, 2],
    transformerDepth: [0, 1, 1],
    heads: { numHeads: 8 },
  },
  attention: 'fused',
} as unknown as UNetRunner;

/** A handle whose weights are one fp32 tensor of `mib` MiB. */
const net = (key: string, mib: number, adapter = false): ControlNetHandle =>
  ({
    kind: 'control_net',
    key,
    name: `${key}.safetensors`,
    weights: { names: () => ['w'], info: () => ({ dtype: 'F16', shape: [mib, 256, 1024] }) },
    ...(adapter ? { t2iAdapter: {} } : {}),
  }) as unknown as ControlNetHandle;
const applied = (n: ControlNetHandle, previous?: AppliedControlNet) =>
  ({ kind: 'control_net_applied', net: n, ...(previous ? { previous } : {}) }) as AppliedControlNet;

it('counts each distinct model once (fp32 weights) and the residuals of each applied copy per row', () => {
  const cn = applied(net('cn', 100));
  const t2i = applied(net('t2i', 50, true), cn);
  const entries = [{ control: t2i }, { control: t2i }, {}] as unknown as CondEntry[];
  const m = controlMemory(new ModelCache(2 ** 30), entries, unet, [1, 4, 8, 8]);
  expect(m.count).toBe(2);
  expect(m.weightBytes).toBe(150 * 2 ** 20);
  // 9 input blocks + middle of tiny-sd1 at an 8x8 latent, fp32, for each of the two copies
  const perCopy = (32 * 64 * 3 + 32 * 16 + 64 * 16 * 2 + 64 * 4 + 64 * 4 * 2 + 64 * 4) * 4;
  expect(m.bytesPerRow).toBe(2 * perCopy);
});

it('leaves out the weights of models already loaded', async () => {
  const models = new ModelCache(2 ** 30);
  await models.get('controlnet|cn', async () => ({ value: {}, bytes: 1 }));
  const m = controlMemory(models, [{ control: applied(net('cn', 100)) }] as unknown as CondEntry[], unet, [1, 4, 8, 8]);
  expect(m.weightBytes).toBe(0);
});

it('a run that fits without its ControlNets but not with them is refused, naming them', async () => {
  const alone = unetWorkingBytes(unet.config as never, 8, 8, 2, 'fused');
  const control = controlMemory(new ModelCache(2 ** 30), [{ control: applied(net('big', 512, true)) }] as unknown as CondEntry[], unet, [1, 4, 8, 8]);
  process.env.LOOM_MAX_JOB_MEMORY = String((alone + 256 * 2 ** 20) / 2 ** 30);
  await expect(checkUnetFits(unet, [1, 4, 8, 8], 2)).resolves.toBeUndefined();
  await expect(checkUnetFits(unet, [1, 4, 8, 8], 2, control)).rejects.toThrow(
    /needs about \d+\.\d GiB of working memory \(0\.5 GiB of it for 1 ControlNet\/T2I-Adapter model\) and \d+\.\d GiB is available/,
  );
  expect((await unetRowsFit(unet))(2, 8, 8)).toBe(true);
  expect((await unetRowsFit(unet, control))(2, 8, 8)).toBe(false);
});
