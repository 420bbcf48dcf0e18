/**
 * One VAE measurement in its own process (so peak RSS is this decode's): `node --import tsx bench/lib/vae-peak.ts
 * VAE_FILE SIZE fused|standard decode|encode`. Prints one JSON line {seconds, peakGiB}.
 */
import { createVae } from '../../server/runtime/models';
import { openSafetensors } from '../../server/runtime/io/safetensors';
import { stateDictProvider } from '../../server/runtime/checkpoint/provider';
import { WeightCache } from '../../server/runtime/onnx/weights-cache';
import { benchNoise } from './measure';

const [file, sizeArg, attention, op] = process.argv.slice(2);
const size = Number(sizeArg);
if (!file || !(size >= 64) || (attention !== 'fused' && attention !== 'standard') || (op !== 'decode' && op !== 'encode')) {
  throw new Error('usage: vae-peak.ts VAE_FILE SIZE fused|standard decode|encode');
}
const weights = stateDictProvider((await openSafetensors(file)).tensors, file);
const vae = await createVae(weights, { device: 'cpu', precision: 'float32', attention, cache: new WeightCache({ dir: `${file}.cache` }) });
const input = op === 'decode' ? benchNoise([1, 4, size / 8, size / 8]) : benchNoise([1, 3, size, size]);
const t0 = performance.now();
if (op === 'decode') await vae.decode(input);
else await vae.encode(input);
console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, peakGiB: process.resourceUsage().maxRSS / 2 ** 20 }));
