/** unCLIP's ADM vector against ComfyUI's unclip_adm + CLIPEmbeddingNoiseAugmentation (SD21UnclipL, tests/fixtures/comfy-refs/unclip_adm.py). */
import { expect, it } from 'vitest';
import { unclipAdm } from '../../../server/runtime/sampling/unclip';
import { relErr } from '../../helpers/comfy-case';

const embeds = (n: number, k: number) => ({
  data: Float32Array.from({ length: n * 768 }, (_, i) => (((i * 13 + k) % 101) - 50) / 40),
  shape: [n, 768],
});
const picks = (a: Float32Array) => Array.from({ length: 16 }, (_, i) => a[i * (a.length / 16)]);
const absSum = (a: Float32Array) => a.reduce((s, v) => s + Math.abs(v), 0);

it('one image, strength 0.8, noise augmentation 0.3 (level 300), seed 42', () => {
  const adm = unclipAdm([{ imageEmbeds: embeds(1, 0), strength: 0.8, noiseAugmentation: 0.3 }], 42, 768);
  const want = [
    -1.531432, -0.1894908, 0.312194, -0.5116418, -0.4864565, -0.08426952, -0.8446323, 0.3358817, -0.0176773, 0.1233997, -0.791994, 0.7642692,
    -0.7998047, -0.7904255, 0.112896, 0.2364161,
  ];
  expect(relErr(picks(adm), want)).toBeLessThan(1e-5);
  expect(Math.abs(absSum(adm) - 786.5798) / 786.5798).toBeLessThan(1e-5);
});

it('no noise augmentation keeps the embedding (level 0: sqrt ᾱ₀ ≈ 1), the level embedding is cos 0 = 1, sin 0 = 0', () => {
  const adm = unclipAdm([{ imageEmbeds: embeds(1, 0), strength: 1, noiseAugmentation: 0 }], 42, 768);
  const want = [-1.261164, -0.3489747, 0.548639, -1.07063, -0.1812823, 0.7146054, -0.9035628, 0.005826514, 1, 1, 1, 1, 0, 0, 0, 0];
  expect(relErr(picks(adm), want)).toBeLessThan(1e-5);
  expect(Math.abs(absSum(adm) - 868.5083) / 868.5083).toBeLessThan(1e-5);
});

it('three images over two applications are summed and noised again at 0.05; a negative seed − 10 wraps as torch does', () => {
  const adm = unclipAdm(
    [
      { imageEmbeds: embeds(2, 0), strength: 0.8, noiseAugmentation: 0.3 },
      { imageEmbeds: embeds(1, 7), strength: 1.2, noiseAugmentation: 0.1 },
    ],
    3,
    768,
  );
  const want = [
    -1.778335, -0.483641, 0.6267571, 0.6963702, -0.3828442, 2.715907, -0.4953166, -0.8666319, 0.9649661, 0.2836617, 0.8775826, 0.9987503, -0.2623748,
    -0.9589244, 0.4794255, 0.04997917,
  ];
  expect(relErr(picks(adm), want)).toBeLessThan(1e-5);
  expect(Math.abs(absSum(adm) - 1497.126) / 1497.126).toBeLessThan(1e-5);
  expect(() => unclipAdm([{ imageEmbeds: embeds(1, 0), strength: 1, noiseAugmentation: 0 }], 3, 1024)).toThrow(
    /image embeddings \[1, 768\] for a model taking 1024-wide ones/,
  );
});
