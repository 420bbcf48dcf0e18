/**
 * One UNet step in its own process (so peak RSS is this run's): `node --import tsx bench/lib/unet-peak.ts UNET_FILE
 * SIZE BATCH`. Prints one JSON line {seconds, peakGiB, baseGiB}: baseGiB is RSS after the session is built.
 */
import { createUNet } from '../../server/runtime/models';
import { openSafetensors } from '../../server/runtime/io/safetensors';
import { stateDictProvider } from '../../server/runtime/checkpoint/provider';
import { WeightCache } from '../../server/runtime/onnx/weights-cache';
import { benchNoise } from './measure';

const [file, sizeArg, batchArg] = process.argv.slice(2);
const size = Number(sizeArg);
const batch = Number(batchArg ?? 2);
if (!file || !(size >= 64) || !(batch >= 1)) throw new Error('usage: unet-peak.ts UNET_FILE SIZE [BATCH]');
const weights = stateDictProvider((await openSafetensors(file)).tensors, file);
const unet = await createUNet(weights, { device: 'cpu', precision: 'float32', attention: 'fused', cache: new WeightCache({ dir: `${file}.cache` }) });
const baseGiB = process.memoryUsage.rss() / 2 ** 30;
const x = benchNoise([batch, 4, size / 8, size / 8]);
const ctx = benchNoise([batch, 77, 768]);
const t0 = performance.now();
await unet.run(
  x,
  Float32Array.from({ length: batch }, () => 500),
  ctx,
);
console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, peakGiB: process.resourceUsage().maxRSS / 2 ** 20, baseGiB }));
