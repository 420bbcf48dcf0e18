import { expect, it } from 'vitest';
import { TorchGenerator } from '@/server/runtime/sampling/rng';
import { maxAbsDiff } from '../../helpers/compare';
import { describeGolden, golden } from '../../helpers/golden';
import { readGoldenMetadata, readGoldenTensors } from '../../helpers/read-golden';

interface RngCase {
  key: string;
  seed: bigint;
  shape: number[];
}

/** Seeds go up to 2^63-1, beyond a double: take them from the raw JSON text. */
function parseCases(json: string): RngCase[] {
  const quoted = json.replace(/"seed":\s*(\d+)/g, '"seed": "$1"');
  return (JSON.parse(quoted) as { key: string; seed: string; shape: number[] }[]).map((c) => ({
    key: c.key,
    seed: BigInt(c.seed),
    shape: c.shape,
  }));
}

describeGolden('TorchGenerator vs torch.randn (golden/rng)', () => {
  const file = () => golden('rng', 'torch_randn.safetensors');

  it('is bit-exact on every seeded case (scalar and vectorised paths, 64-bit seeds)', async () => {
    const tensors = await readGoldenTensors(file());
    const cases = parseCases((await readGoldenMetadata(file())).cases).filter((c) => c.key.startsWith('case'));
    expect(cases.length).toBe(8);
    for (const c of cases) {
      const out = new TorchGenerator(c.seed).randn(c.shape);
      expect(maxAbsDiff(out, tensors.get(c.key)!.data), c.key).toBe(0);
    }
  });

  it('continues the stream across successive draws', async () => {
    const tensors = await readGoldenTensors(file());
    const g = new TorchGenerator(5);
    expect(maxAbsDiff(g.randn([1, 4, 8, 8]), tensors.get('seq.first')!.data)).toBe(0);
    expect(maxAbsDiff(g.randn([1, 4, 8, 8]), tensors.get('seq.second')!.data)).toBe(0);
  });
});

it('same seed gives same noise; different seeds differ', () => {
  const a = new TorchGenerator(123).randn([2, 4, 5, 3]);
  const b = new TorchGenerator(123n).randn([2, 4, 5, 3]);
  const c = new TorchGenerator(124).randn([2, 4, 5, 3]);
  expect(Array.from(a)).toEqual(Array.from(b));
  expect(maxAbsDiff(a, c)).toBeGreaterThan(0.1);
});
